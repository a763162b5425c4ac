import type { BrowserContext, Page } from 'playwright-core';
import { cleanRedis, uniqueId } from './support/e2e-app';
import { ensureSdkBundle, launchChromium } from './support/browser';
import { ProxiedService } from './support/instances';

jest.setTimeout(90_000);

/**
 * The demo page in a real browser (Debian's Chromium, driven by playwright-core), against the
 * service through a proxy with 20 ± 5 ms each way: the digits it shows are the server's clock,
 * the highlight follows the turn, and it comes back by itself after an instance restart.
 */
describe('the demo page in Chromium', () => {
  let service: ProxiedService;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: ((await res.json()) as { data: any }).data };
  };

  /** The server's value of each clock at the test's (= the server's) clock now. */
  const serverClocks = async (id: string) => {
    const { data } = await api(`/v1/sessions/${id}`);
    return (at: number) =>
      Object.fromEntries(
        data.participants.map((p: any) => [
          p.participant_id,
          p.is_active ? p.time_remaining_ms - (at - data.server_time_ms) : p.time_remaining_ms,
        ]),
      ) as Record<string, number>;
  };

  /** What each card shows at the next frame the page paints (data-ms: the value; the text: its digits). */
  const shown = () =>
    page.evaluate(async () => {
      // the page's render runs first in the frame: it registered before this callback
      await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      return [...document.querySelectorAll<HTMLElement>('[data-participant]')].map((c) => {
        const digits = c.querySelector('.digits') as HTMLElement;
        return {
          id: c.dataset.participant as string,
          active: c.classList.contains('active'),
          ms: Number(digits.dataset.ms),
          text: digits.textContent as string,
        };
      });
    });

  const expectDigitsWithin100ms = async (id: string) => {
    const truth = await serverClocks(id);
    const before = Date.now();
    const cards = await shown();
    const after = Date.now();
    for (const card of cards) {
      // painted between `before` and `after`: a running clock showed a value between these
      const hi = truth(before)[card.id];
      const lo = truth(after)[card.id];
      expect(card.ms).toBeGreaterThanOrEqual(lo - 100);
      expect(card.ms).toBeLessThanOrEqual(hi + 100);
      expect(card.text).toMatch(/^\d+:\d\d(\.\d)?$/);
      const [m, s] = card.text.split(':').map(Number);
      expect(Math.abs((m * 60 + s) * 1000 - card.ms)).toBeLessThan(1000);
    }
    return cards;
  };

  const activeCard = () =>
    page.$eval('.clock.active', (c) => (c as HTMLElement).dataset.participant as string);

  beforeAll(async () => {
    ensureSdkBundle();
    service = await new ProxiedService(
      { RATE_LIMIT_ENABLED: 'false' },
      { up: { ms: 20, jitterMs: 5 }, down: { ms: 20, jitterMs: 5 } },
    ).start();
    browser = await launchChromium();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await cleanRedis();
  });

  it('shows the server clock within 100 ms, follows the turn, and resumes after a restart', async () => {
    const id = uniqueId('browser');
    const created = await api('/v1/sessions', {
      session_id: id,
      sync_mode: 'per_participant',
      total_time_ms: 120_000,
      participants: [
        { participant_id: 'white', total_time_ms: 60_000 },
        { participant_id: 'black', total_time_ms: 60_000 },
      ],
    });
    expect(created.status).toBe(201);
    await api(`/v1/sessions/${id}/start`, {});
    await page.goto(`${service.url}/demo?session=${id}`);
    await page.waitForSelector('.clock.active');
    await page.waitForFunction(() => document.querySelector('#link')?.textContent === 'live');
    expect(await activeCard()).toBe('white');
    await page.waitForTimeout(300);
    await expectDigitsWithin100ms(id);

    for (const [mover, next] of [
      ['white', 'black'],
      ['black', 'white'],
      ['white', 'black'],
    ]) {
      expect(
        (await api(`/v1/sessions/${id}/switch`, { current_participant_id: mover })).status,
      ).toBe(200);
      await page.waitForFunction(
        (p) => document.querySelector('.clock.active')?.getAttribute('data-participant') === p,
        next,
      );
      await page.waitForTimeout(150);
      await expectDigitsWithin100ms(id);
    }

    await service.replace();
    await page.waitForFunction(
      () => document.querySelector('#link')?.textContent === 'live',
      undefined,
      {
        timeout: 10_000,
      },
    );
    expect(
      (await api(`/v1/sessions/${id}/switch`, { current_participant_id: 'black' })).status,
    ).toBe(200);
    await page.waitForFunction(
      () => document.querySelector('.clock.active')?.getAttribute('data-participant') === 'white',
      undefined,
      {
        timeout: 10_000,
      },
    );
    await page.waitForTimeout(150);
    const cards = await expectDigitsWithin100ms(id);
    expect(cards.find((c) => c.id === 'white')?.active).toBe(true);
    const sync = await page.$eval('#sync', (el) => ({
      offset: Number((el as HTMLElement).dataset.offset),
      error: Number((el as HTMLElement).dataset.error),
    }));
    expect(Math.abs(sync.offset)).toBeLessThanOrEqual(sync.error);
  });

  it('a newcomer creates a session from the page: a countdown with tenths under 10 s', async () => {
    await page.goto(`${service.url}/demo`);
    await page.selectOption('#mode', 'global');
    await page.click('#create');
    await page.waitForSelector('.clock');
    await page.click('[data-command=start]');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'running');
    const id = (await page.textContent('#session-id')) as string;
    expect(id).toMatch(/^demo-global-/);
    const first = Number(await page.$eval('#main-clock', (el) => (el as HTMLElement).dataset.ms));
    await page.waitForTimeout(500);
    const later = Number(await page.$eval('#main-clock', (el) => (el as HTMLElement).dataset.ms));
    expect(first - later).toBeGreaterThan(300);
    // take the countdown under 10 s: the digits show tenths
    const { data } = await api(`/v1/sessions/${id}`);
    await api(`/v1/sessions/${id}/add-time`, { ms: -(data.time_remaining_ms - 5000) });
    await page.waitForFunction(() =>
      /^0:0\d\.\d$/.test(document.querySelector('#main-clock')?.textContent ?? ''),
    );
    await page.click('[data-command=switch]');
    await page.waitForFunction(
      () => document.querySelector('.clock.active')?.getAttribute('data-participant') === 'q2',
    );
  });
});
