import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

const iso = (ms: number) => new Date(ms).toISOString();

/** Contract section 9: POST /v1/sessions/:id/start with at_ms. */
describe('Scheduled start', () => {
  let app: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  const watch = async (id: string) => {
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    return w;
  };

  const recorded = (id: string, count: number) =>
    waitUntil(
      async () => (await api.raw().get(`/v1/sessions/${id}/events`).expect(200)).body.data,
      (events: any[]) => events.length >= count,
    );

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  it('stays pending, then starts by itself at exactly at_ms, pushed and recorded there', async () => {
    const id = uniqueId('sched');
    await api.create(chess(id)).expect(201);
    const w = await watch(id);
    const at = Date.now() + 1000;
    const answer = (await api.command(id, 'start', { at_ms: at }).expect(200)).body.data;
    expect(answer).toMatchObject({
      status: 'pending',
      version: 2,
      scheduled_start_at: iso(at),
      session_started_at: null,
    });
    const started = await w.next('session:state', (s) => s.version === 3, 4000);
    expect(started.state).toMatchObject({
      status: 'running',
      active_participant_id: 'white',
      session_started_at: iso(at),
      cycle_started_at: iso(at),
      scheduled_start_at: null,
    });
    // Its clock runs from at_ms, not from when the machinery ran.
    const white = started.state.participants[0];
    expect(white.time_used_ms).toBe(started.server_time_ms - at);

    const events = await recorded(id, 3);
    expect(events.map((e: any) => [e.version, e.event_type, e.occurred_at])).toEqual([
      [1, 'session_created', expect.any(String)],
      [2, 'session_scheduled', answer.updated_at],
      [3, 'session_started', iso(at)],
    ]);
    expect(events[1].metadata).toEqual({ at_ms: at });
  });

  it('a read at or after at_ms sees it running, whether or not the push went out', async () => {
    const id = uniqueId('sched-read');
    await api.create(chess(id)).expect(201);
    const at = Date.now() + 300;
    await api.command(id, 'start', { at_ms: at }).expect(200);
    await sleep(Math.max(0, at - Date.now()));
    const read = (await api.get(id).expect(200)).body.data;
    expect(read).toMatchObject({ status: 'running', version: 3, session_started_at: iso(at) });
  });

  it('a new start reschedules; a start without at_ms overrides it', async () => {
    const id = uniqueId('sched-re');
    await api.create(chess(id)).expect(201);
    const w = await watch(id);
    await api.command(id, 'start', { at_ms: Date.now() + 600 }).expect(200);
    const later = Date.now() + 60_000;
    const moved = (await api.command(id, 'start', { at_ms: later }).expect(200)).body.data;
    expect(moved).toMatchObject({ status: 'pending', version: 3, scheduled_start_at: iso(later) });
    await sleep(1200); // past the first instant and its durable backstop
    expect((await api.get(id).expect(200)).body.data).toMatchObject({
      status: 'pending',
      version: 3,
    });
    const now = (await api.command(id, 'start').expect(200)).body.data;
    expect(now).toMatchObject({ status: 'running', version: 4, scheduled_start_at: null });
    expect(w.of('session:state').map((s) => s.version)).toEqual([1, 2, 3, 4]);
  });

  it.each(['complete', 'cancel'])('%s before the instant overrides it', async (action) => {
    const id = uniqueId(`sched-${action}`);
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start', { at_ms: Date.now() + 400 }).expect(200);
    await api.command(id, action).expect(200);
    await sleep(1000);
    expect((await api.get(id).expect(200)).body.data).toMatchObject({
      version: 3,
      session_started_at: null,
      scheduled_start_at: null,
    });
  });

  it('refuses an instant that is not in the future or more than 7 days ahead', async () => {
    const id = uniqueId('sched-bad');
    await api.create(chess(id)).expect(201);
    const week = 7 * 86_400_000;
    for (const at_ms of [Date.now() - 1, Date.now() + week + 60_000, 'soon', 1.5, null]) {
      const res = await api.command(id, 'start', { at_ms });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(res.body.error.details.fields.map((f: any) => f.field)).toEqual(['at_ms']);
    }
    expect((await api.command(id, 'start', { at: 1 })).status).toBe(400);
    expect((await api.get(id).expect(200)).body.data.version).toBe(1);
    const running = uniqueId('sched-running');
    await api.create(chess(running)).expect(201);
    await api.command(running, 'start').expect(200);
    const again = await api.command(running, 'start', { at_ms: Date.now() + 5000 });
    expect(again.body.error.code).toBe('INVALID_STATE_TRANSITION');
  });
});

describe('A scheduled start survives the instance that scheduled it', () => {
  it('the other instance starts it, anchored at at_ms', async () => {
    const first = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const second = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const id = uniqueId('sched-failover');
    const w = new Watcher(baseUrl(second));
    try {
      const api1 = new Api(first.getHttpServer());
      await api1.create(chess(id)).expect(201);
      await w.connected();
      await w.request('session:join', { session_id: id });
      const at = Date.now() + 800;
      await api1.command(id, 'start', { at_ms: at }).expect(200);
      await first.close(); // its timer dies with it; the durable job remains
      const started = await w.next('session:state', (s) => s.version === 3, 5000);
      expect(started.state).toMatchObject({
        status: 'running',
        session_started_at: iso(at),
        cycle_started_at: iso(at),
      });
    } finally {
      w.close();
      await second.close();
      await cleanRedis();
    }
  });
});
