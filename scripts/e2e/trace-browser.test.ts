import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@micromesh/kit/testing';
import type { Page } from 'playwright-core';
import { call, login } from './support/broker-api';
import { launchBrowser, SCREENSHOT_DIR, type Browser } from './support/browser';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';
import { waitForTrace } from './support/traces';

const WAIT = { timeout: 30_000 };

async function signIn(page: Page): Promise<void> {
  await page.locator('body[data-ready="true"]').waitFor(WAIT);
  // Typed, not relied on: only a dev build comes prefilled.
  await page.fill('#login-email', ADMIN.email);
  await page.fill('#login-password', ADMIN.password);
  await page.click('#login-submit');
  await page.locator('#signed-in').getByText(ADMIN.email).waitFor(WAIT);
}

/** The event id the Received pane shows after pressing an action button. */
async function press(page: Page, action: string): Promise<string> {
  const received = page.locator('#received');
  const before = Number((await received.getAttribute('data-exchange')) ?? 0);
  await page.click(`[data-action="${action}"]`);
  await page.locator(`#received[data-exchange="${before + 1}"]`).waitFor(WAIT);
  const body = JSON.parse(await received.innerText()) as { data?: { event_id?: string } };
  return body.data?.event_id ?? '';
}

// The trace waterfall in Chromium against the real mesh: a log row's trace id opens it, the
// slowest-traces list leads to it, and it draws what the traces API stored.
describe('trace waterfall in a real browser', () => {
  let mesh: TestMesh;
  let token: string;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_trace_ui');
    token = await login(mesh.brokerUrl);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 150_000);
  beforeEach(async () => {
    problems.length = 0;
    browser = await launchBrowser({ width: 1440, height: 900 });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
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

  it("When the trace id of an event's log row is clicked, then the waterfall draws its six spans indented by parent, coloured by service, with the log line beside", async () => {
    await signIn(page);
    const eventId = await press(page, 'event');
    const row = page.locator(`#log-list .log-row[data-id="${eventId}"]`);
    await waitFor(
      async () => {
        await page.click('#logs-refresh');
        return (await row.count()) > 0;
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: 'the event in the log list' },
    );
    const traceId = (await row.locator('.log-trace').getAttribute('title'))?.split(' ').pop() ?? '';
    await waitForTrace(mesh.brokerUrl, token, traceId, 6);

    await row.locator('.log-trace').click();

    const dialog = page.locator(`#trace-dialog[data-trace-id="${traceId}"]`);
    await dialog.waitFor(WAIT);
    const rows = dialog.locator('.wf-row');
    expect(
      await rows.evaluateAll((els) =>
        els.map((el) => [el.getAttribute('data-service'), el.getAttribute('data-depth')]),
      ),
    ).toEqual([
      ['broker', '0'],
      ['broker', '1'],
      ['listener', '2'],
      ['listener', '3'],
      ['logger', '4'],
      ['logger', '5'],
    ]);
    expect(await dialog.locator('.wf-row .wf-bar.svc-listener').count()).toBe(2);
    expect(await dialog.locator('.trace-log').innerText()).toContain('Some kind of event data');
    expect(page.url()).toContain(`#trace=${traceId}`);
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, 'trace-waterfall-desktop-1440x900.png'),
    });
    await dialog.locator('.wf-row').nth(5).locator('.wf-label').click();
    await dialog.locator('.wf-details pre').getByText('db.system.name').waitFor(WAIT);
    expect(problems).toEqual([]);

    const phone = await launchBrowser({ width: 390, height: 844, isMobile: true });
    try {
      const phonePage = phone.context.pages()[0] ?? (await phone.context.newPage());
      await phonePage.goto(mesh.frontendUrl);
      await signIn(phonePage);
      await phonePage.goto(`${mesh.frontendUrl}/#trace=${traceId}`);
      await phonePage
        .locator(`#trace-dialog[data-trace-id="${traceId}"] .wf-row`)
        .first()
        .waitFor(WAIT);
      await phonePage.screenshot({
        path: path.join(SCREENSHOT_DIR, 'trace-waterfall-phone-390x844.png'),
      });
      const overflow = Number(
        await phonePage.evaluate(
          "document.querySelector('#trace-dialog').scrollWidth - document.querySelector('#trace-dialog').clientWidth",
        ),
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });

  it('When a request failed, then the slowest-traces list marks it and its waterfall marks the failed spans', async () => {
    // mail stopped: the broker's call to it fails, and its spans say so.
    await mesh.mesh.stopService('mail');
    try {
      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: { action: 'mail', mail: { to: 'down@example.com', subject: 'x', message: 'y' } },
      });
      expect(res.status).toBe(503);
    } finally {
      await mesh.mesh.startService('mail');
    }
    const failed = await waitFor(
      async () => {
        const list = await call<{ items: { trace_id: string; error: boolean }[] }>(
          mesh.brokerUrl,
          'GET',
          '/api/traces?error=true',
          { token },
        );
        return list.body.data?.items[0];
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: 'a failed trace' },
    );
    await signIn(page);

    await page.check('#traces-errors');
    const item = page.locator(
      `#trace-list .trace-item.is-error[data-trace-id="${failed.trace_id}"]`,
    );
    await item.waitFor(WAIT);
    await page
      .locator('.area-traces')
      .screenshot({ path: path.join(SCREENSHOT_DIR, 'traces-slowest-desktop.png') });
    await item.locator('a').click();

    const dialog = page.locator(`#trace-dialog[data-trace-id="${failed.trace_id}"]`);
    await dialog.waitFor(WAIT);
    expect(await dialog.locator('.wf-row.is-error').count()).toBeGreaterThanOrEqual(1);
    expect(await dialog.locator('.wf-row.is-error .wf-error-mark').count()).toBeGreaterThanOrEqual(
      1,
    );
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'trace-waterfall-error-desktop.png') });
    expect(problems).toEqual([]);
  });
});
