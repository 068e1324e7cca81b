import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@micromesh/kit/testing';
import type { Page } from 'playwright-core';
import { call, login } from './support/broker-api';
import { putDeadLetters } from './support/dead-letters';
import { launchBrowser, SCREENSHOT_DIR, type Browser } from './support/browser';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';

/** What each button of the "Test microservices" panel must bring back into the Received pane. */
const BUTTONS = [
  { action: 'broker', status: '200', says: 'Hit the broker' },
  { action: 'auth', status: '202', says: ADMIN.email },
  { action: 'log', status: '202', says: '"error": false' },
  { action: 'grpc-log', status: '202', says: '"error": false' },
  { action: 'event', status: '202', says: '"error": false' },
  { action: 'mail', status: '202', says: '"error": false' },
] as const;

const WAIT = { timeout: 30_000 };

async function signIn(page: Page): Promise<void> {
  await page.locator('body[data-ready="true"]').waitFor(WAIT);
  // Typed, not relied on: only a dev build comes prefilled.
  await page.fill('#login-email', ADMIN.email);
  await page.fill('#login-password', ADMIN.password);
  await page.click('#login-submit');
  await page.locator('#signed-in').getByText(ADMIN.email).waitFor(WAIT);
}

/** Clicks an action button and waits for its response to replace the previous one. */
async function press(page: Page, action: string): Promise<{ status: string; text: string }> {
  const received = page.locator('#received');
  const before = Number((await received.getAttribute('data-exchange')) ?? 0);
  await page.click(`[data-action="${action}"]`);
  await page.locator(`#received[data-exchange="${before + 1}"]`).waitFor(WAIT);
  return {
    status: (await received.getAttribute('data-status')) ?? '',
    text: await received.innerText(),
  };
}

describe('the console in a real browser', () => {
  let mesh: TestMesh;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // The suite signs in (browser and API) more often than the broker's 10 logins/min per IP.
    mesh = await startTestMesh('e2e_browser', { extraEnv: { AUTH_RATE_LIMIT_POINTS: '100' } });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 150_000);
  beforeEach(async () => {
    problems.length = 0;
    browser = await launchBrowser({ width: 1440, height: 900 });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    // CSP violations and script errors show up here; the page must have none.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(mesh.frontendUrl);
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });
  afterAll(() => mesh?.stop(), 60_000);

  describe('sign-in and the test panel', () => {
    it('When the admin signs in and presses every button, then each response shows in the Received pane', async () => {
      await signIn(page);

      for (const button of BUTTONS) {
        const shown = await press(page, button.action);

        expect({ action: button.action, status: shown.status }).toEqual({
          action: button.action,
          status: button.status,
        });
        expect(shown.text).toContain(button.says);
      }
      expect(problems).toEqual([]);
    });

    it('When nobody is signed in, then a protected button shows the broker’s 401', async () => {
      await page.locator('body[data-ready="true"]').waitFor(WAIT);

      const shown = await press(page, 'log');

      expect(shown.status).toBe('401');
      expect(shown.text).toContain('"error": true');
    });
  });

  describe('logs explorer and health', () => {
    it('When a log is sent with the live tail on, then the new entry appears in the explorer and stays after a refresh', async () => {
      await signIn(page);
      await page.click('#tail-toggle');
      await page.locator('#tail-toggle[data-state="live"]').waitFor(WAIT);

      await press(page, 'log');
      await press(page, 'event');

      const list = page.locator('#log-list');
      await list.locator('.log-row', { hasText: 'Some kind of data' }).first().waitFor(WAIT);
      await list.locator('.log-row', { hasText: 'Some kind of event data' }).first().waitFor(WAIT);
      await page.click('#logs-refresh');
      await page.locator('#log-state[data-kind="none"]').waitFor({ state: 'attached', ...WAIT });
      await list.locator('.log-row', { hasText: 'Some kind of data' }).first().waitFor(WAIT);
      expect(problems).toEqual([]);
    });

    it('When the explorer is filtered by text, then it pages through exactly the matching entries', async () => {
      const word = `pager${randomBytes(4).toString('hex')}`;
      const token = await login(mesh.brokerUrl);
      for (let i = 0; i < 30; i++) {
        const res = await call(mesh.brokerUrl, 'POST', '/handle', {
          token,
          body: { action: 'log', log: { name: 'paging', data: `${word} entry ${i}` } },
        });
        expect(res.status).toBe(202);
      }
      await signIn(page);
      const rows = page.locator('#log-list .log-row');

      await page.fill('#f-text', word);
      const showing = (pageNo: number) =>
        page.locator(`#log-list[data-text="${word}"][data-page="${pageNo}"]`).waitFor(WAIT);
      await showing(1);
      const firstPage = await rows.allInnerTexts();
      await page.click('#page-older');
      await showing(2);
      const secondPage = await rows.allInnerTexts();
      await page.click('#page-newer');
      await showing(1);

      expect(firstPage).toHaveLength(25);
      expect(firstPage[0]).toContain(`${word} entry 29`);
      expect(secondPage.map((t) => t.match(/entry (\d+)/)?.[1])).toEqual(['4', '3', '2', '1', '0']);
      expect(await page.isDisabled('#page-older')).toBe(false);
      expect(await page.isDisabled('#page-newer')).toBe(true);
    });

    it('When signed in, then the health panel lists every service as ready', async () => {
      await signIn(page);

      await page.locator('#health-list li[data-service="listener"]').waitFor(WAIT);

      const services = await page
        .locator('#health-list li')
        .evaluateAll((items) =>
          items.map((li) => [li.getAttribute('data-service'), li.getAttribute('data-ready')]),
        );
      expect(Object.fromEntries(services)).toMatchObject({
        auth: 'true',
        logger: 'true',
        mail: 'true',
        listener: 'true',
      });
    });
  });

  describe('dead letters (admin)', () => {
    it('When the listener dead-letters a poison event and another dead letter waits, then the admin sees the count and both, replays one into the store and discards the other', async () => {
      // Arrange: past the broker, straight onto RabbitMQ
      const word = `dlq${randomBytes(4).toString('hex')}`;
      const { poisonId, replayableId } = await putDeadLetters(mesh.settings.amqpUrl, word);
      const token = await login(mesh.brokerUrl);
      // The listener takes a moment to give the poison event up.
      await waitFor(
        async () => {
          const res = await call<{ count: number }>(mesh.brokerUrl, 'GET', '/api/dead-letters', {
            token,
          });
          return res.body.data?.count === 2;
        },
        { timeoutMs: 30_000, what: 'two dead letters' },
      );
      await signIn(page);
      const panel = page.locator('#dead-letters');
      const row = (id: string) => panel.locator(`li[data-message-id="${id}"]`);
      await page.locator('#dead-letters[data-count="2"]').waitFor(WAIT);
      await panel.screenshot({ path: path.join(SCREENSHOT_DIR, 'dead-letters.png') });
      const poisonText = await row(poisonId).innerText();
      const replayableText = await row(replayableId).innerText();

      // Act
      await row(replayableId).locator('button[data-dl-op="replay"]').click();
      await page.locator('#dead-letters[data-count="1"]').waitFor(WAIT);
      await row(poisonId).locator('button[data-dl-op="discard"]').click();
      await page.locator('#dead-letters[data-count="0"]').waitFor(WAIT);

      // Assert
      expect(replayableText).toContain('retries_exhausted');
      expect(replayableText).toContain('logger: INTERNAL: the store was misbehaving');
      expect(replayableText).toContain(word);
      expect(poisonText).toContain('log.ERROR');
      expect(await panel.locator('#dl-list .empty').innerText()).toContain('No dead letters');
      const storedOnce = async () => {
        const res = await call<{ entries: unknown[] }>(
          mesh.brokerUrl,
          'GET',
          `/api/logs?text=${word}`,
          { token },
        );
        return res.body.data?.entries.length === 1;
      };
      await waitFor(storedOnce, { timeoutMs: 15_000, what: 'the replayed event stored' });
      expect(problems).toEqual([]);
    });

    it('When a user without the admin role signs in, then the dead-letter panel stays hidden', async () => {
      const email = `user-${randomBytes(4).toString('hex')}@example.com`;
      const created = await call(mesh.brokerUrl, 'POST', '/api/users', {
        token: await login(mesh.brokerUrl),
        body: { email, password: 'user-password-1', role: 'user' },
      });
      expect(created.status).toBe(201);
      await page.locator('body[data-ready="true"]').waitFor(WAIT);

      await page.fill('#login-email', email);
      await page.fill('#login-password', 'user-password-1');
      await page.click('#login-submit');
      await page.locator('#signed-in').getByText(email).waitFor(WAIT);

      expect(await page.locator('#dead-letters').isHidden()).toBe(true);
    });
  });

  describe('screenshots', () => {
    it('When the page is in use at desktop and phone widths, then screenshots are saved for review', async () => {
      // Some warnings and errors too, so the chart and the level badges show their colours.
      const token = await login(mesh.brokerUrl);
      for (const [i, level] of ['WARNING', 'ERROR', 'INFO', 'WARNING', 'ERROR'].entries()) {
        const res = await call(mesh.brokerUrl, 'POST', '/handle', {
          token,
          body: { action: 'log', log: { name: 'checkout', data: `step ${i} done`, level } },
        });
        expect(res.status).toBe(202);
      }
      await signIn(page);
      for (const action of ['log', 'event', 'mail', 'log']) await press(page, action);
      await page.click('#logs-refresh');
      await page.locator('#log-list .log-row[data-level="ERROR"]').first().waitFor(WAIT);
      const desktop = path.join(SCREENSHOT_DIR, 'desktop-1440x900.png');
      await page.screenshot({ path: desktop, fullPage: true });

      const phone = await launchBrowser({ width: 390, height: 844, isMobile: true });
      try {
        const phonePage = phone.context.pages()[0] ?? (await phone.context.newPage());
        await phonePage.goto(mesh.frontendUrl);
        await signIn(phonePage);
        await press(phonePage, 'log');
        await phonePage.locator('#log-list .log-row').first().waitFor(WAIT);
        await phonePage.screenshot({ path: path.join(SCREENSHOT_DIR, 'phone-390x844.png') });
        await phonePage.evaluate('window.scrollTo(0, 0)');
        await phonePage.screenshot({
          path: path.join(SCREENSHOT_DIR, 'phone-390x844-full.png'),
          fullPage: true,
        });
        // A string, so this Node-side file needs no DOM types.
        const overflow = Number(
          await phonePage.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        );
        expect(overflow).toBeLessThanOrEqual(0);
      } finally {
        await phone.close();
      }
    });
  });
});
