import { SyncKairosClient } from './client';
import { SyncKairosError } from './errors';
import { FakeLocalClock } from './testing/fake-time';
import { fakeSocketFactory } from './testing/fake-socket';
import { chessState, T0 } from './testing/states';
import type { SessionState } from './types';

/** The client against a fake socket and a fake fetch; the local clock is T0 - 1000 + what tests advance. */
function setUp(respond: (event: string, payload: unknown) => unknown = () => ({})) {
  const local = new FakeLocalClock(T0);
  const fetched: { url: string; init: RequestInit }[] = [];
  let answer: (url: string, init: RequestInit) => Response = () =>
    Response.json({
      data: { timestamp_ms: local.t, server_version: '2.0.0', drift_tolerance_ms: 50 },
    });
  const fetchFake = ((url: string, init: RequestInit) => {
    fetched.push({ url, init });
    try {
      return Promise.resolve(answer(url, init));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }) as unknown as typeof fetch;
  const sockets = fakeSocketFactory((event, payload) => {
    if (event === 'time:sync') return { server_time_ms: local.t };
    return respond(event, payload);
  });
  const client = new SyncKairosClient({
    url: 'http://clock.test/',
    token: 'tok',
    clock: local,
    fetch: fetchFake,
    socketFactory: sockets.factory,
    random: () => 1,
  });
  return {
    client,
    local,
    fetched,
    socket: sockets.socket,
    answerWith: (fn: typeof answer) => (answer = fn),
  };
}

const flush = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('SyncKairosClient: watches', () => {
  it('joins on connect, takes the snapshot, and keeps versions strictly increasing', async () => {
    const { client, socket } = setUp((event, payload) =>
      event === 'session:join'
        ? { state: chessState((payload as { session_id: string }).session_id, 2) }
        : {},
    );
    const seen: number[] = [];
    const w = client.watch('g1', { onState: (s) => seen.push(s.version) });
    expect(socket().options).toEqual({ transports: ['websocket'], auth: { token: 'tok' } });
    socket().accept();
    await flush();
    expect(socket().requestsOf('session:join')).toEqual([{ session_id: 'g1' }]);
    const push = (v: number) =>
      socket().fire('session:state', {
        session_id: 'g1',
        version: v,
        server_time_ms: T0,
        state: chessState('g1', v),
      });
    push(2); // the snapshot's own push: already delivered
    push(4);
    push(3); // late: dropped
    push(4); // twice: dropped
    socket().fire('session:state', {
      session_id: 'other',
      version: 9,
      state: chessState('other', 9),
    });
    push(5);
    expect(seen).toEqual([2, 4, 5]);
    expect(w.version).toBe(5);
    client.close();
  });

  it('reconnects after io server disconnect with backoff capped at 5 s, re-joins, takes the fresh snapshot', async () => {
    let version = 2;
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', version) } : {},
    );
    const seen: number[] = [];
    client.watch('g1', { onState: (s) => seen.push(s.version) });
    socket().accept();
    await flush();
    socket().drop('io server disconnect');
    // every further attempt fails: the delays grow, never past 5 s
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const calls = socket().connectCalls;
      let waited = 0;
      while (socket().connectCalls === calls) {
        await jest.advanceTimersByTimeAsync(50);
        waited += 50;
        expect(waited).toBeLessThanOrEqual(5000);
      }
      delays.push(waited);
      socket().refuse();
    }
    expect(delays[1]).toBeGreaterThan(delays[0]);
    expect(Math.max(...delays)).toBe(5000);
    version = 7; // commands happened meanwhile
    await jest.advanceTimersByTimeAsync(5000);
    socket().accept();
    await flush();
    expect(socket().requestsOf('session:join')).toHaveLength(2);
    expect(seen).toEqual([2, 7]);
    // and the delays start over after a success
    socket().drop('transport close');
    const calls = socket().connectCalls;
    await jest.advanceTimersByTimeAsync(250);
    expect(socket().connectCalls).toBe(calls + 1);
    client.close();
  });

  it('leaves an instance that announces its shutdown, and comes back', async () => {
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2) } : {},
    );
    client.watch('g1');
    socket().accept();
    await flush();
    socket().fire('server:shutdown', { reconnect: true });
    expect(socket().connected).toBe(false);
    const calls = socket().connectCalls;
    await jest.advanceTimersByTimeAsync(250);
    expect(socket().connectCalls).toBe(calls + 1);
    client.close();
  });

  it('delivers timeouts once, and a deletion ends the watch (not joined again)', async () => {
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2) } : {},
    );
    const timeouts: unknown[] = [];
    const deleted: unknown[] = [];
    const w = client.watch('g1', {
      onTimeout: (t) => timeouts.push(t),
      onDeleted: (d) => deleted.push(d),
    });
    socket().accept();
    await flush();
    const t = {
      session_id: 'g1',
      kind: 'participant',
      participant_id: 'white',
      at_ms: T0,
      version: 3,
    };
    socket().fire('session:timeout', t);
    socket().fire('session:timeout', t);
    socket().fire('session:deleted', { session_id: 'g1', server_time_ms: T0 });
    expect(timeouts).toEqual([t]);
    expect(deleted).toHaveLength(1);
    expect(w.closed).toBe(true);
    socket().drop();
    await jest.advanceTimersByTimeAsync(5000);
    socket().accept();
    await flush();
    expect(socket().requestsOf('session:join')).toHaveLength(1);
    client.close();
  });

  it('delivers each low-time warning once', async () => {
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2) } : {},
    );
    const warnings: unknown[] = [];
    client.watch('g1', { onLowTime: (p) => warnings.push(p) });
    socket().accept();
    await flush();
    const warning = { session_id: 'g1', participant_id: 'white', remaining_ms: 30_000 };
    socket().fire('session:low_time', { ...warning, at_ms: T0, version: 2 });
    socket().fire('session:low_time', { ...warning, at_ms: T0, version: 2 });
    socket().fire('session:low_time', { ...warning, session_id: 'other', at_ms: T0, version: 2 });
    socket().fire('session:low_time', { ...warning, at_ms: T0 + 9000, version: 4 });
    expect(warnings).toEqual([
      { ...warning, at_ms: T0, version: 2 },
      { ...warning, at_ms: T0 + 9000, version: 4 },
    ]);
    client.close();
  });

  it('reports a refused join; retries it only when the refusal is passing', async () => {
    let code = 'UNAVAILABLE';
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { error: { code, message: 'no' } } : {},
    );
    const errors: string[] = [];
    client.watch('g1', { onError: (e) => errors.push(e.code) });
    socket().accept();
    await flush();
    code = 'SESSION_NOT_FOUND';
    await jest.advanceTimersByTimeAsync(5000);
    await jest.advanceTimersByTimeAsync(5000);
    expect(errors).toEqual(['UNAVAILABLE', 'SESSION_NOT_FOUND']);
    client.close();
  });

  it('leaves a session when its last watch closes, and joins a second watch only once', async () => {
    const { client, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2) } : { ok: true },
    );
    const a = client.watch('g1');
    socket().accept();
    await flush();
    const seen: number[] = [];
    const b = client.watch('g1', { onState: (s) => seen.push(s.version) });
    expect(socket().requestsOf('session:join')).toHaveLength(1);
    await flush();
    expect(seen).toEqual([2]); // the state the first watch holds
    socket().fire('session:state', { session_id: 'g1', version: 3, state: chessState('g1', 3) });
    expect(seen).toEqual([2, 3]);
    a.close();
    expect(socket().requestsOf('session:leave')).toEqual([]);
    b.close();
    expect(socket().requestsOf('session:leave')).toEqual([{ session_id: 'g1' }]);
    socket().fire('session:state', { session_id: 'g1', version: 4, state: chessState('g1', 4) });
    expect(seen).toEqual([2, 3]);
    client.close();
    expect(() => client.watch('g1')).toThrow(SyncKairosError);
  });

  it('live values run on the estimated server clock', async () => {
    const { client, socket, local } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2, T0) } : {},
    );
    const w = client.watch('g1');
    expect(w.remaining('white')).toBeNull();
    socket().accept();
    await flush();
    await client.sync();
    local.advance(2500);
    expect(w.remaining('white')).toBeGreaterThanOrEqual(57_400);
    expect(w.remaining('white')).toBeLessThanOrEqual(57_600);
    expect(w.remaining('black')).toBe(60_000);
    expect(w.remaining()).toBe(w.remaining('white'));
    expect(w.live()?.server_time_ms).toBe(Math.floor(client.now()));
    local.advance(120_000);
    expect(w.remaining('white')).toBe(0);
    expect(w.live()?.status).toBe('expired');
    client.close();
  });
});

describe('SyncKairosClient: time sync', () => {
  it('samples GET /v1/time before the socket is up, then time:sync over it', async () => {
    const { client, fetched, socket } = setUp();
    const offset = await client.sync();
    expect(fetched.map((f) => f.url)).toEqual(Array(8).fill('http://clock.test/v1/time'));
    expect(offset.samples).toBe(4);
    expect(offset.error_ms).toBeLessThan(3);
    client.watch('g1');
    socket().accept();
    await flush();
    expect(socket().requestsOf('time:sync')).toHaveLength(8);
    expect(fetched).toHaveLength(8);
    client.close();
  });

  it('resyncs periodically and when a page comes back to the foreground', async () => {
    const listeners: (() => void)[] = [];
    const doc = {
      visibilityState: 'visible',
      addEventListener: (_: string, fn: () => void) => listeners.push(fn),
      removeEventListener: jest.fn(),
    };
    (globalThis as { document?: unknown }).document = doc;
    try {
      const { client, fetched } = setUp();
      await client.sync();
      await jest.advanceTimersByTimeAsync(30_000);
      expect(fetched).toHaveLength(16);
      listeners.forEach((fn) => fn());
      await flush();
      expect(fetched).toHaveLength(24);
      client.close();
      expect(doc.removeEventListener).toHaveBeenCalled();
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
  });

  it('a sync that gets no answer fails, and is tried again sooner', async () => {
    const { client, fetched, answerWith } = setUp();
    answerWith(() => new Response('oops', { status: 502 }));
    await expect(client.sync()).rejects.toThrow('time sync failed');
    expect(client.offset.error_ms).toBe(Infinity);
    await jest.advanceTimersByTimeAsync(5000);
    expect(fetched).toHaveLength(16);
    client.close();
  });
});

describe('SyncKairosClient: commands', () => {
  it('sends REST commands with the token and idempotency key, and feeds watches', async () => {
    const { client, fetched, answerWith, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 2) } : {},
    );
    const seen: number[] = [];
    client.watch('g1', { onState: (s) => seen.push(s.version) });
    socket().accept();
    await flush();
    answerWith(() =>
      Response.json({ data: { ...chessState('g1', 3), expired_participant_id: 'white' } }),
    );
    const result = await client.switch(
      'g1',
      { current_participant_id: 'white' },
      { idempotencyKey: 'k-1' },
    );
    expect(result.expired_participant_id).toBe('white');
    const sent = fetched.at(-1)!;
    expect(sent.url).toBe('http://clock.test/v1/sessions/g1/switch');
    expect(sent.init.method).toBe('POST');
    expect(JSON.parse(sent.init.body as string)).toEqual({ current_participant_id: 'white' });
    expect(sent.init.headers).toMatchObject({
      authorization: 'Bearer tok',
      'idempotency-key': 'k-1',
    });
    expect(seen).toEqual([2, 3]);
    const actions: [string, () => Promise<SessionState | void>][] = [
      ['start', () => client.start('g1')],
      ['pause', () => client.pause('g1')],
      ['resume', () => client.resume('g1')],
      ['complete', () => client.complete('g1')],
      ['cancel', () => client.cancel('g1')],
      ['add-time', () => client.addTime('g1', { ms: 1000 })],
    ];
    for (const [path, run] of actions) {
      await run();
      expect(fetched.at(-1)!.url).toBe(`http://clock.test/v1/sessions/g1/${path}`);
    }
    answerWith(() => new Response(null, { status: 204 }));
    await expect(client.delete('g1')).resolves.toBeUndefined();
    expect(fetched.at(-1)!.init.method).toBe('DELETE');
    client.close();
  });

  it('starts many sessions at one instant, each answering for itself', async () => {
    const { client, fetched, answerWith, socket } = setUp((event) =>
      event === 'session:join' ? { state: chessState('g1', 1) } : {},
    );
    const seen: number[] = [];
    client.watch('g1', { onState: (s) => seen.push(s.version) });
    socket().accept();
    await flush();
    const missing = { code: 'SESSION_NOT_FOUND', message: 'session g2 not found' };
    answerWith(() =>
      Response.json({
        data: {
          results: [
            { session_id: 'g1', status: 200, data: chessState('g1', 2) },
            { session_id: 'g2', status: 404, error: missing },
          ],
        },
      }),
    );
    const results = await client.startMany(['g1', 'g2'], { at_ms: T0 + 60_000 });
    expect(results.map((r) => [r.session_id, r.status, r.error])).toEqual([
      ['g1', 200, undefined],
      ['g2', 404, missing],
    ]);
    const sent = fetched.at(-1)!;
    expect(sent.url).toBe('http://clock.test/v1/sessions/start');
    expect(JSON.parse(sent.init.body as string)).toEqual({
      session_ids: ['g1', 'g2'],
      at_ms: T0 + 60_000,
    });
    expect(seen).toEqual([1, 2]);
    await expect(client.startMany(['bad id'])).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    client.close();
  });

  it('turns error bodies into SyncKairosError with the code and status', async () => {
    const { client, answerWith } = setUp();
    answerWith(() =>
      Response.json(
        { error: { code: 'CONFLICT', message: 'expected 1', details: { actual_version: 2 } } },
        { status: 409 },
      ),
    );
    const err = (await client
      .switch('g1', { expected_version: 1 })
      .catch((e: unknown) => e)) as SyncKairosError;
    expect(err).toBeInstanceOf(SyncKairosError);
    expect(err).toMatchObject({ code: 'CONFLICT', status: 409, details: { actual_version: 2 } });
    answerWith(() => new Response('<html>', { status: 502 }));
    await expect(client.get('g1')).rejects.toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      status: 502,
    });
    answerWith(() => {
      throw new TypeError('fetch failed');
    });
    await expect(client.get('g1')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(() => client.watch('bad id')).toThrow(SyncKairosError);
    await expect(client.get('../x')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    client.close();
  });

  it('switches over the socket when asked, and reports its refusal', async () => {
    let ack: unknown = { data: chessState('g1', 3) };
    const { client, socket } = setUp((event) => (event === 'session:switch' ? ack : {}));
    const pending = client.switch('g1', { current_participant_id: 'white' }, { via: 'socket' });
    await flush();
    socket().accept();
    await jest.advanceTimersByTimeAsync(20);
    await expect(pending).resolves.toMatchObject({ version: 3 });
    expect(socket().requestsOf('session:switch')).toEqual([
      { session_id: 'g1', current_participant_id: 'white' },
    ]);
    ack = { error: { code: 'NOT_ACTIVE_PARTICIPANT', message: 'no' } };
    await expect(client.switch('g1', {}, { via: 'socket' })).rejects.toMatchObject({
      code: 'NOT_ACTIVE_PARTICIPANT',
    });
    client.close();
  });
});
