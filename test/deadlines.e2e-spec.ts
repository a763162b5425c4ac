import { INestApplication } from '@nestjs/common';
import { SessionStore } from '../src/state/session-store';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';

/** The instant a state's running clock started, in epoch ms. */
const anchorOf = (state: { cycle_started_at: string }) => Date.parse(state.cycle_started_at);

describe('Deadlines: clocks that run out on their own', () => {
  let a: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  const watch = (app: INestApplication, id: string) => {
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    return w;
  };

  beforeAll(async () => {
    a = await startApp();
    api = new Api(a.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await a.close();
    await cleanRedis();
  });

  const pushedWithoutAsking = async (
    body: Record<string, unknown>,
    kinds: string[],
    budgetMs: number,
  ) => {
    await api.create(body).expect(201);
    const w = watch(a, body.session_id as string);
    await w.next('session:state');
    const started = (await api.command(body.session_id as string, 'start').expect(200)).body.data;
    const timeouts = [];
    for (const kind of kinds)
      timeouts.push(await w.next('session:timeout', (t) => t.kind === kind, budgetMs));
    return { w, started, timeouts };
  };

  it('per_participant: the flag falls at the exact instant and is pushed without any request', async () => {
    const id = uniqueId('dl-pp');
    const { w, started, timeouts } = await pushedWithoutAsking(
      chess(id, 1000),
      ['participant', 'session'],
      3000,
    );
    const due = anchorOf(started) + 1000;
    expect(timeouts).toEqual([
      { session_id: id, kind: 'participant', participant_id: 'white', at_ms: due, version: 3 },
      { session_id: id, kind: 'session', at_ms: due, version: 3 },
    ]);
    const state = await w.next('session:state', (s) => s.version === 3);
    expect(state.state).toMatchObject({
      status: 'expired',
      session_completed_at: new Date(due).toISOString(),
    });
    expect(state.server_time_ms - due).toBeLessThan(500);
  });

  it('per_group: the group runs out and the turn passes to the next group with time', async () => {
    const id = uniqueId('dl-pg');
    const body = {
      session_id: id,
      sync_mode: 'per_group',
      participants: [
        { participant_id: 'r1', group_id: 'red', total_time_ms: 1000 },
        { participant_id: 'b1', group_id: 'blue', total_time_ms: 60_000 },
        { participant_id: 'g1', group_id: 'green', total_time_ms: 60_000 },
      ],
      total_time_ms: 60_000,
    };
    const { w, started, timeouts } = await pushedWithoutAsking(body, ['group'], 3000);
    expect(timeouts[0]).toMatchObject({
      kind: 'group',
      group_id: 'red',
      at_ms: anchorOf(started) + 1000,
    });
    const state = await w.next('session:state', (s) => s.version === 3);
    expect(state.state).toMatchObject({ status: 'running', active_participant_id: 'b1' });
  });

  it('per_cycle with auto_advance: every turn times out on time and play goes on', async () => {
    const id = uniqueId('dl-pc');
    const body = {
      session_id: id,
      sync_mode: 'per_cycle',
      participants: [{ participant_id: 'x' }, { participant_id: 'y' }],
      total_time_ms: 60_000,
      time_per_cycle_ms: 1000,
    };
    await api.create(body).expect(201);
    const w = watch(a, id);
    await w.next('session:state');
    const started = (await api.command(id, 'start').expect(200)).body.data;
    const second = await w.next(
      'session:timeout',
      (t) => t.kind === 'cycle' && t.version === 4,
      4000,
    );
    expect(
      w.of('session:timeout').map((t) => [t.participant_id, t.at_ms - anchorOf(started)]),
    ).toEqual([
      ['x', 1000],
      ['y', 2000],
    ]);
    expect(second.participant_id).toBe('y');
    await api.command(id, 'cancel').expect(200);
  });

  it.each([
    [
      'per_cycle without auto_advance',
      { sync_mode: 'per_cycle', time_per_cycle_ms: 1000, auto_advance: false },
      ['cycle', 'session'],
    ],
    ['global', { sync_mode: 'global', total_time_ms: 1000 }, ['session']],
    ['count_up with a cap', { sync_mode: 'count_up', max_time_ms: 1000 }, ['session']],
  ])('%s: the session expires on its own at the exact instant', async (_mode, extra, kinds) => {
    const id = uniqueId('dl');
    const body = {
      session_id: id,
      participants: [{ participant_id: 'x' }, { participant_id: 'y' }],
      total_time_ms: 60_000,
      ...extra,
    };
    const { w, started, timeouts } = await pushedWithoutAsking(body, kinds, 3000);
    for (const t of timeouts) expect(t.at_ms).toBe(anchorOf(started) + 1000);
    const state = await w.next('session:state', (s) => s.state.status === 'expired');
    expect(state.state.session_completed_at).toBe(new Date(anchorOf(started) + 1000).toISOString());
  });

  it('a deadline made stale by a switch does nothing', async () => {
    const fresh = uniqueId('dl-stale');
    await api
      .create({
        session_id: fresh,
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'a', total_time_ms: 1000 },
          { participant_id: 'b', total_time_ms: 60_000 },
        ],
        total_time_ms: 60_000,
      })
      .expect(201);
    const w = watch(a, fresh);
    await w.next('session:state');
    await api.command(fresh, 'start').expect(200);
    await sleep(300);
    await api.command(fresh, 'switch').expect(200);
    await sleep(1500); // past a's old deadline and its durable backstop
    expect(w.of('session:timeout')).toEqual([]);
    expect((await api.get(fresh)).body.data).toMatchObject({
      version: 3,
      status: 'running',
      active_participant_id: 'b',
    });
  });

  it('a deadline racing a switch gives one consistent result', async () => {
    for (const offset of [-4, -2, 0, 2, 4]) {
      const id = uniqueId('dl-race');
      await api
        .create({
          session_id: id,
          sync_mode: 'per_participant',
          participants: ['a', 'b', 'c'].map((p, i) => ({
            participant_id: p,
            total_time_ms: i === 0 ? 1000 : 60_000,
          })),
          total_time_ms: 60_000,
        })
        .expect(201);
      const w = watch(a, id);
      await w.next('session:state');
      const started = (await api.command(id, 'start').expect(200)).body.data;
      await sleep(Math.max(0, anchorOf(started) + 1000 + offset - Date.now()));
      const res = await api.command(id, 'switch', { current_participant_id: 'a' });
      expect([200, 409]).toContain(res.status);
      await sleep(400);
      const final = (await api.get(id)).body.data;
      const expiries = w.of('session:timeout').filter((t) => t.kind === 'participant');
      if (final.participants[0].has_expired) {
        // a ran out: exactly one expiry, at its instant, and b plays from then
        expect(expiries).toHaveLength(1);
        expect(expiries[0].at_ms).toBe(anchorOf(started) + 1000);
        expect(final).toMatchObject({ version: 3, active_participant_id: 'b' });
        expect(anchorOf(final)).toBe(anchorOf(started) + 1000);
      } else {
        // the switch came first: a moved in time, no expiry
        expect(res.status).toBe(200);
        expect(expiries).toHaveLength(0);
        expect(final).toMatchObject({ version: 3, active_participant_id: 'b' });
      }
      const versions = w.of('session:state').map((s) => s.version);
      expect(new Set(versions).size).toBe(versions.length);
    }
  });

  it('add-time moves the deadline', async () => {
    const id = uniqueId('dl-add');
    await api.create(chess(id, 1000)).expect(201);
    const w = watch(a, id);
    await w.next('session:state');
    const started = (await api.command(id, 'start').expect(200)).body.data;
    await sleep(200);
    const added = await api.command(id, 'add-time', { participant_id: 'white', ms: 1000 });
    expect(added.status).toBe(200);
    expect(added.body.data.participants[0].total_time_ms).toBe(2000);
    const timeout = await w.next('session:timeout', (t) => t.kind === 'participant', 4000);
    expect(timeout.at_ms).toBe(anchorOf(started) + 2000);
  });

  it('add-time validates its body and is refused on a finished session', async () => {
    const id = uniqueId('dl-add-bad');
    await api.create(chess(id)).expect(201);
    for (const body of [
      { ms: 0 },
      { ms: 'x' },
      { participant_id: 'white' },
      { participant_id: 'white', ms: 1.5 },
    ]) {
      expect((await api.command(id, 'add-time', body)).status).toBe(400);
    }
    await api.command(id, 'cancel').expect(200);
    const res = await api.command(id, 'add-time', { participant_id: 'white', ms: 1000 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_STATE_TRANSITION');
    expect((await api.command(uniqueId('none'), 'add-time', { ms: 1000 })).status).toBe(404);
  });
});

describe('Deadlines survive the instance that armed them', () => {
  /**
   * Two instances with a short backstop grace: the session `body(id)` is created on the first,
   * and a watcher on the second has joined it. `scenario` stops the first when it wants to.
   */
  async function acrossTwoInstances(
    name: string,
    body: (id: string) => Record<string, unknown>,
    scenario: (ctx: {
      first: INestApplication;
      api1: Api;
      id: string;
      w: Watcher;
    }) => Promise<void>,
  ): Promise<void> {
    const first = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const second = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const id = uniqueId(name);
    const w = new Watcher(baseUrl(second));
    try {
      const api1 = new Api(first.getHttpServer());
      await api1.create(body(id)).expect(201);
      await w.connected();
      await w.request('session:join', { session_id: id });
      await scenario({ first, api1, id, w });
    } finally {
      w.close();
      await second.close();
      await cleanRedis();
    }
  }

  it('an instance stopped right after starting a clock: the deadline fires on another', () =>
    acrossTwoInstances(
      'dl-failover',
      (id) => chess(id, 1000),
      async ({ first, api1, id, w }) => {
        const started = (await api1.command(id, 'start').expect(200)).body.data;
        await first.close(); // its timer dies with it; the durable job remains
        const timeout = await w.next('session:timeout', (t) => t.kind === 'participant', 5000);
        expect(timeout.at_ms).toBe(anchorOf(started) + 1000);
        const state = await w.next('session:state', (s) => s.version === 3);
        expect(state.state.status).toBe('expired');
      },
    ));

  it('commands that committed together leave a durable deadline for the state stored', () => {
    const banks = { p0: 600_000, p1: 600_000, p2: 1000, p3: 1500 };
    return acrossTwoInstances(
      'dl-batch',
      (id) => ({
        session_id: id,
        sync_mode: 'per_participant',
        participants: Object.entries(banks).map(([participant_id, total_time_ms]) => ({
          participant_id,
          total_time_ms,
        })),
        total_time_ms: 1_202_500,
      }),
      async ({ first, api1, id, w }) => {
        await api1.command(id, 'start').expect(200);
        // The first switch runs alone (p1 to play, ten minutes), its write held back so that
        // the two others arrive meanwhile and commit together: p2 (1 s, never stored), then p3
        // (1.5 s, stored). Only a durable job armed for the stored state ends p3's clock once
        // this instance is gone.
        const store = first.get(SessionStore);
        const write = store.compareAndSet.bind(store);
        const cas = jest.spyOn(store, 'compareAndSet').mockImplementationOnce(async (...args) => {
          await sleep(200);
          return write(...args);
        });
        const answers = await Promise.all([1, 2, 3].map(() => api1.command(id, 'switch')));
        expect(cas.mock.calls.map((call) => call[4])).toEqual([1, 2]);
        await first.close();
        expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
        const last = answers.map((r) => r.body.data).find((d) => d.version === 5);
        expect(last.active_participant_id).toBe('p3');
        const p3 = last.participants.find(
          (p: { participant_id: string }) => p.participant_id === 'p3',
        );
        const timeout = await w.next('session:timeout', (t) => t.kind === 'participant', 5000);
        expect(timeout).toMatchObject({ participant_id: 'p3', version: 6 });
        expect(timeout.at_ms).toBe(anchorOf(last) + p3.time_remaining_ms);
      },
    );
  });
});
