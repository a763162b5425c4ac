import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { TcpProxy } from './support/tcp-proxy';

/**
 * Issue 15, item 6: one instance's host clock 2 s ahead (TEST_CLOCK_OFFSET_MS), both against
 * the same Redis. This process's Date.now() is the machine's clock, the one Redis' TIME reads,
 * so an answer's instants are checked against when it was asked for and answered: the service's
 * time lies in that interval, give or take the instance's measurement error (SLACK_MS).
 */
const SKEW_MS = 2000;
const SLACK_MS = 25;
const anchorOf = (state: { cycle_started_at: string }) => Date.parse(state.cycle_started_at);

/** The request's answer and the interval of this process's clock in which it was decided. */
async function timed<T>(send: () => PromiseLike<T>) {
  const sentAt = Date.now();
  const res = await send();
  return { res, sentAt, receivedAt: Date.now() };
}

function expectWithin(instant: number, t: { sentAt: number; receivedAt: number }): void {
  expect(instant).toBeGreaterThanOrEqual(t.sentAt - SLACK_MS);
  expect(instant).toBeLessThanOrEqual(t.receivedAt + SLACK_MS);
}

describe('Fault: an instance whose host clock is skewed', () => {
  let skewed: INestApplication;
  let honest: INestApplication;
  let onSkewed: Api;
  let onHonest: Api;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    // The skewed instance fires every deadline of this suite: the honest one has no worker.
    skewed = await startApp({ TEST_CLOCK_OFFSET_MS: String(SKEW_MS) });
    honest = await startApp({ DEADLINE_WORKER: 'false' });
    onSkewed = new Api(skewed.getHttpServer());
    onHonest = new Api(honest.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await skewed.close();
    await honest.close();
    await cleanRedis();
  });

  it('measures its offset to Redis, is ready, and serves Redis time', async () => {
    const ready = await onSkewed.raw().get('/ready').expect(200);
    expect(ready.body.info.clock).toMatchObject({ status: 'up', correction: true });
    expect(ready.body.info.clock.offset_ms).toBeCloseTo(-SKEW_MS, -1);
    const t = await timed(() => onSkewed.raw().get('/v1/time').expect(200));
    expectWithin(t.res.body.timestamp_ms, t);
    const metrics = await onSkewed.raw().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^synckairos_clock_in_sync 1$/m);
    expect(metrics.text).toMatch(/^synckairos_clock_offset_seconds -(1\.99|2\.00)\d*$/m);
  });

  it('a 5 s turn is charged the same whichever instance starts it and whichever ends it', async () => {
    const pairs: [string, Api, Api][] = [
      ['skewed, skewed', onSkewed, onSkewed],
      ['skewed, honest', onSkewed, onHonest],
      ['honest, skewed', onHonest, onSkewed],
      ['honest, honest', onHonest, onHonest],
    ];
    const games = await Promise.all(
      pairs.map(async ([label, starter, ender]) => {
        const id = uniqueId('skew-turn');
        await starter.create(chess(id)).expect(201);
        const start = await timed(() => starter.command(id, 'start').expect(200));
        return { label, id, ender, start };
      }),
    );
    await sleep(5000);
    const ends = await Promise.all(
      games.map(async (g) => ({ ...g, end: await timed(() => g.ender.command(g.id, 'switch')) })),
    );
    for (const { label, start, end } of ends) {
      expect([label, end.res.status]).toEqual([label, 200]);
      const started = anchorOf(start.res.body.data);
      const ended = end.res.body.data.server_time_ms as number;
      expectWithin(started, start);
      expectWithin(ended, end);
      const white = end.res.body.data.participants[0];
      expect(white.time_used_ms).toBe(ended - started);
      // Charged exactly what passed between the two answers, on this machine's clock.
      expect(white.time_used_ms).toBeGreaterThanOrEqual(end.sentAt - start.receivedAt - SLACK_MS);
      expect(white.time_used_ms).toBeLessThanOrEqual(end.receivedAt - start.sentAt + SLACK_MS);
    }
  });

  it('a deadline the skewed instance arms fires at its instant, not before', async () => {
    const id = uniqueId('skew-flag');
    await onSkewed.create(chess(id, 2000)).expect(201);
    const w = new Watcher(baseUrl(honest), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    const start = await timed(() => onSkewed.command(id, 'start').expect(200));
    const due = anchorOf(start.res.body.data) + 2000;
    expectWithin(anchorOf(start.res.body.data), start);
    const flag = await w.next('session:timeout', (t) => t.kind === 'participant', 6000);
    const arrived = w.received.find((r) => r.payload === flag)!.at;
    expect(flag).toMatchObject({ participant_id: 'white', at_ms: due });
    expect(arrived).toBeGreaterThanOrEqual(due - SLACK_MS);
    const read = (await onHonest.get(id).expect(200)).body.data;
    expect(read).toMatchObject({ status: 'expired' });
    expect(read.participants[0]).toMatchObject({ time_used_ms: 2000, has_expired: true });
  });

  describe('when the skew cannot be corrected', () => {
    const refusals = async (app: INestApplication, reason: RegExp) => {
      const api = new Api(app.getHttpServer());
      const ready = await api.raw().get('/ready').expect(503);
      expect(ready.body.error.clock).toMatchObject({ status: 'down' });
      expect(ready.body.error.clock.message).toMatch(reason);
      const id = uniqueId('skew-refused');
      await onHonest.create(chess(id)).expect(201);
      const answers = [
        await api.create(chess(uniqueId('skew-refused'))),
        await api.command(id, 'start'),
        await api.get(id),
        await api.delete(id),
        await api.raw().get('/v1/time'),
      ];
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({ code: 'UNAVAILABLE' });
        expect(res.body.error.message).toMatch(/clock is not in step with Redis/);
      }
      const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
      try {
        await w.connected();
        await expect(w.request('time:sync')).resolves.toMatchObject({
          error: { code: 'UNAVAILABLE' },
        });
        await expect(w.request('session:switch', { session_id: id })).resolves.toMatchObject({
          error: { code: 'UNAVAILABLE' },
        });
      } finally {
        w.close();
      }
      // Nothing the refused commands asked for happened.
      expect((await onHonest.get(id).expect(200)).body.data).toMatchObject({
        version: 1,
        status: 'pending',
      });
      const metrics = await api.raw().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^synckairos_clock_in_sync 0$/m);
    };

    it('correction off: a host 2 s ahead is not ready and refuses commands', async () => {
      const uncorrected = await startApp({
        TEST_CLOCK_OFFSET_MS: String(SKEW_MS),
        CLOCK_CORRECTION: 'false',
        DEADLINE_WORKER: 'false',
      });
      try {
        await refusals(uncorrected, /(1999|2000|2001) ms ahead of Redis time, uncorrected/);
      } finally {
        await uncorrected.close();
      }
    });

    it('Redis too far away to measure within MAX_CLOCK_SKEW_MS: not ready, commands refused', async () => {
      const target = new URL(process.env.REDIS_URL as string);
      const slow = new TcpProxy(target.hostname, Number(target.port || 6379), {
        up: { ms: 10 },
        down: { ms: 10 },
      });
      await slow.start();
      const far = await startApp({
        REDIS_URL: `redis://127.0.0.1:${slow.port}`,
        MAX_CLOCK_SKEW_MS: '5',
        DEADLINE_WORKER: 'false',
        AUDIT_WORKER: 'false',
        WEBHOOK_WORKER: 'false',
      });
      try {
        await refusals(
          far,
          /may be \d+ ms off Redis time, its offset being measured to ±\d+ ms only \(MAX_CLOCK_SKEW_MS 5\)/,
        );
      } finally {
        await far.close();
        await slow.cut();
      }
    });
  });
});
