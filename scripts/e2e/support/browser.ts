import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's chromium (never `playwright install`), headless, in a fresh profile folder so runs
 * share no cookies or storage.
 */
export async function launchBrowser(viewport: {
  width: number;
  height: number;
  isMobile?: boolean;
}): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: viewport.width, height: viewport.height },
    deviceScaleFactor: viewport.isMobile ? 2 : 1,
    isMobile: viewport.isMobile ?? false,
    hasTouch: viewport.isMobile ?? false,
    // No smooth scrolling or animations half-way through a screenshot.
    reducedMotion: 'reduce',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', '..', 'screenshots');
