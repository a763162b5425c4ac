import { INestApplication } from '@nestjs/common';
import { Server } from 'socket.io';
import { SessionsGateway } from '../src/gateway/sessions.gateway';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

describe('GatewayModule (contract section 5)', () => {
  let a: INestApplication;
  let b: INestApplication;
  let apiA: Api;
  let apiB: Api;
  const watchers: Watcher[] = [];

  const watch = (app: INestApplication, opts?: ConstructorParameters<typeof Watcher>[1]) => {
    const w = new Watcher(baseUrl(app), opts);
    watchers.push(w);
    return w;
  };

  const newSession = async (extra: Record<string, unknown> = {}) => {
    const id = uniqueId('ws');
    await apiA.create(chess(id, 60_000, extra)).expect(201);
    return id;
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startApp(), startApp()]);
    apiA = new Api(a.getHttpServer());
    apiB = new Api(b.getHttpServer());
  });

  afterEach(() => {
    watchers.splice(0).forEach((w) => w.close());
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await cleanRedis();
  });

  describe('joining', () => {
    it.each([
      ['query', (id: string) => ({ query: { sessionId: id } })],
      ['auth', (id: string) => ({ auth: { sessionId: id } })],
    ])('by %s at connect gives the snapshot at once', async (_how, opts) => {
      const id = await newSession();
      const w = watch(a, opts(id));
      const snapshot = await w.next('session:state');
      expect(snapshot).toMatchObject({
        session_id: id,
        version: 1,
        state: { session_id: id, status: 'pending' },
      });
      expect(snapshot.server_time_ms).toBe(snapshot.state.server_time_ms);
    });

    it('with session:join, acknowledged with the state, and the snapshot as an event', async () => {
      const id = await newSession();
      const w = watch(a);
      await w.connected();
      const ack = await w.request('session:join', { session_id: id });
      expect(ack.state).toMatchObject({ session_id: id, version: 1 });
      expect((await w.next('session:state')).version).toBe(1);
    });

    it('an unknown session gets session:error SESSION_NOT_FOUND and is not joined', async () => {
      const id = uniqueId('nobody');
      const w = watch(a, { query: { sessionId: id } });
      expect(await w.next('session:error')).toMatchObject({ code: 'SESSION_NOT_FOUND' });
      const ack = await w.request('session:join', { session_id: id });
      expect(ack.error).toMatchObject({ code: 'SESSION_NOT_FOUND' });
      const server = a.get(SessionsGateway).server as Server;
      expect(await server.in(`session:${id}`).fetchSockets()).toHaveLength(0);
    });

    it.each([[{ session_id: 'bad id!' }], [{ session_id: 42 }], [{}], ['just-a-string'], [null]])(
      'a malformed join %o is a VALIDATION_ERROR',
      async (payload) => {
        const w = watch(a);
        await w.connected();
        const ack = await w.request('session:join', payload);
        expect(ack.error).toMatchObject({ code: 'VALIDATION_ERROR' });
      },
    );

    it('a malformed id at connect is a session:error VALIDATION_ERROR', async () => {
      const w = watch(a, { query: { sessionId: 'no spaces allowed' } });
      expect(await w.next('session:error')).toMatchObject({ code: 'VALIDATION_ERROR' });
    });

    it('session:leave stops the updates', async () => {
      const id = await newSession();
      const w = watch(a, { query: { sessionId: id } });
      await w.next('session:state');
      expect(await w.request('session:leave', { session_id: id })).toEqual({ ok: true });
      await apiA.command(id, 'start').expect(200);
      await sleep(200);
      expect(w.of('session:state').map((s) => s.version)).toEqual([1]);
    });
  });

  it('pushes every change, in version order', async () => {
    const id = await newSession();
    const w = watch(a, { query: { sessionId: id } });
    await w.next('session:state');
    await apiA.command(id, 'start').expect(200);
    for (let i = 0; i < 5; i++) await apiA.command(id, 'switch').expect(200);
    await apiA.command(id, 'pause').expect(200);
    await w.next('session:state', (s) => s.version === 8);
    expect(w.of('session:state').map((s) => s.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const last = w.of('session:state').at(-1);
    expect(last.state.status).toBe('paused');
    expect(last.server_time_ms).toBe(last.state.server_time_ms);
  });

  it('a change made through instance B reaches a client connected to instance A', async () => {
    const id = await newSession();
    const w = watch(a, { query: { sessionId: id } });
    await w.next('session:state');
    const started = (await apiB.command(id, 'start').expect(200)).body.data;
    const pushed = await w.next('session:state', (s) => s.version === 2);
    expect(pushed.state).toEqual(started);
  });

  it('pushes session:timeout when a clock found run out, with the exact instant', async () => {
    const id = uniqueId('ws-exp');
    await apiA.create(chess(id, 1000)).expect(201);
    const w = watch(a, { query: { sessionId: id } });
    await w.next('session:state');
    const started = (await apiA.command(id, 'start').expect(200)).body.data;
    const expected = Date.parse(started.cycle_started_at) + 1000;
    await sleep(1100);
    await apiA.get(id).expect(200); // settles it, if nothing else did
    const timeouts = [
      await w.next('session:timeout', (t) => t.kind === 'participant'),
      await w.next('session:timeout', (t) => t.kind === 'session'),
    ];
    expect(timeouts).toEqual([
      { session_id: id, kind: 'participant', participant_id: 'white', at_ms: expected, version: 3 },
      { session_id: id, kind: 'session', at_ms: expected, version: 3 },
    ]);
  });

  it('deletion sends session:deleted and empties the room on every instance', async () => {
    const id = await newSession();
    const onA = watch(a, { query: { sessionId: id } });
    const onB = watch(b, { query: { sessionId: id } });
    await Promise.all([onA.next('session:state'), onB.next('session:state')]);
    await apiA.delete(id).expect(204);
    expect(await onA.next('session:deleted')).toMatchObject({ session_id: id });
    expect(await onB.next('session:deleted')).toMatchObject({ session_id: id });
    const server = b.get(SessionsGateway).server as Server;
    await waitUntil(
      () => server.in(`session:${id}`).fetchSockets(),
      (sockets) => sockets.length === 0,
    );
  });

  it('time:sync answers with the server clock', async () => {
    const w = watch(a);
    await w.connected();
    const before = Date.now();
    const ack = await w.request('time:sync');
    expect(ack.server_time_ms).toBeGreaterThanOrEqual(before - 90);
    expect(ack.server_time_ms).toBeLessThanOrEqual(Date.now() + 90);
  });

  describe('session:switch over the socket', () => {
    /** A running session, a player's socket on A and a watcher of the session on B. */
    const startedWithPlayerAndWatcher = async () => {
      const id = await newSession();
      await apiA.command(id, 'start').expect(200);
      const player = watch(a);
      const watcher = watch(b, { query: { sessionId: id } });
      await Promise.all([player.connected(), watcher.next('session:state')]);
      return { id, player, watcher };
    };

    it('answers like REST: the new state, and every watcher gets it', async () => {
      const { id, player, watcher } = await startedWithPlayerAndWatcher();
      const ack = await player.request('session:switch', {
        session_id: id,
        current_participant_id: 'white',
      });
      expect(ack.data).toMatchObject({
        session_id: id,
        version: 3,
        active_participant_id: 'black',
      });
      expect(
        (await watcher.next('session:state', (s) => s.version === 3)).state.active_participant_id,
      ).toBe('black');
      const rest = (await apiB.get(id).expect(200)).body.data;
      expect(rest.participants[0].cycle_count).toBe(1);
    });

    it('a burst of switches: each ack its own version, every watcher gets every version in order', async () => {
      const { id, player, watcher } = await startedWithPlayerAndWatcher();
      // Sent in one go: they reach the instance together and commit in turns of several.
      const acks = await Promise.all(
        Array.from({ length: 20 }, () => player.request('session:switch', { session_id: id })),
      );
      const versions = acks.map((ack) => ack.data.version as number);
      expect([...versions].sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 3),
      );
      await watcher.next('session:state', (s) => s.version === 22);
      const pushed = watcher
        .of('session:state')
        .map((s: { version: number }) => s.version)
        .filter((v: number) => v > 2);
      expect(pushed).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    });

    it('answers the same errors as REST by acknowledgement', async () => {
      const id = await newSession();
      await apiA.command(id, 'start').expect(200);
      const w = watch(a);
      await w.connected();
      const send = (body: unknown) => w.request('session:switch', body);
      expect((await send({ session_id: id, expected_version: 1 })).error).toMatchObject({
        code: 'CONFLICT',
        details: { expected_version: 1, actual_version: 2 },
      });
      expect((await send({ session_id: id, current_participant_id: 'black' })).error.code).toBe(
        'NOT_ACTIVE_PARTICIPANT',
      );
      expect((await send({ session_id: uniqueId('none') })).error.code).toBe('SESSION_NOT_FOUND');
      expect((await send({ session_id: 'bad id' })).error.code).toBe('VALIDATION_ERROR');
      expect((await send({ session_id: id, colour: 'red' })).error.code).toBe('VALIDATION_ERROR');
      expect((await send('nonsense')).error.code).toBe('VALIDATION_ERROR');
      await apiA.command(id, 'pause').expect(200);
      expect((await send({ session_id: id })).error).toMatchObject({
        code: 'INVALID_STATE_TRANSITION',
        message: expect.stringContaining('session is paused'),
      });
    });
  });

  describe('bad input', () => {
    it('unknown events and wrong shapes never disturb the other clients', async () => {
      const id = await newSession();
      const good = watch(a, { query: { sessionId: id } });
      const bad = watch(a);
      await Promise.all([good.next('session:state'), bad.connected()]);
      bad.socket.emit('no:such:event', { x: 1 });
      bad.socket.emit('session:join');
      bad.socket.emit('session:leave', 'garbage');
      bad.socket.emit('time:sync', { unexpected: true });
      expect((await bad.request('session:leave', [1, 2, 3])).error.code).toBe('VALIDATION_ERROR');
      await apiA.command(id, 'start').expect(200);
      expect((await good.next('session:state', (s) => s.version === 2)).state.status).toBe(
        'running',
      );
      expect(bad.socket.connected).toBe(true);
    });

    it('a payload over the limit drops only the socket that sent it', async () => {
      const id = await newSession();
      const good = watch(a, { query: { sessionId: id } });
      const bad = watch(a);
      await Promise.all([good.next('session:state'), bad.connected()]);
      const dropped = new Promise((resolve) => bad.socket.once('disconnect', resolve));
      bad.socket.emit('session:join', { session_id: 'x'.repeat(64 * 1024) });
      await dropped;
      await apiA.command(id, 'start').expect(200);
      await good.next('session:state', (s) => s.version === 2);
      expect(good.socket.connected).toBe(true);
    });

    it('joins are rate limited per socket', async () => {
      const id = await newSession();
      const w = watch(a);
      await w.connected();
      const answers = [];
      for (let i = 0; i < 35; i++)
        answers.push(await w.request('session:join', { session_id: id }));
      expect(answers.filter((x) => x.state)).toHaveLength(30);
      expect(answers.filter((x) => x.error?.code === 'RATE_LIMITED')).toHaveLength(5);
    });
  });
});
