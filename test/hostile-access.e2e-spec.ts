import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { SessionsGateway } from '../src/gateway/sessions.gateway';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

const SECRET = 'a-secret-of-at-least-thirty-two-chars!';
const ISSUER = 'lobby-issuer-nobody-should-learn';
const AUDIENCE = 'clock-audience-nobody-should-learn';

/**
 * Issue 14, the access findings: a token grants its rights and nothing more, however the URL is
 * spelled, whatever type its claims have, and not after it expires.
 */
describe('hostile access', () => {
  const apps: INestApplication[] = [];
  const watchers: Watcher[] = [];
  const jwt = new JwtService({ secret: SECRET });
  const sign = (claims: Record<string, unknown>, expiresIn: number | string = '5m') =>
    jwt.sign(claims, { expiresIn: expiresIn as number, issuer: ISSUER, audience: AUDIENCE });

  const start = async (env: Record<string, string> = {}) => {
    const app = await startApp({
      AUTH_MODE: 'jwt',
      JWT_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    });
    apps.push(app);
    return app;
  };
  /** Signed as jsonwebtoken would, with claims it refuses to sign. */
  const forged = (claims: Record<string, unknown> | string) => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const payload =
      typeof claims === 'string' ? claims : { sub: 'x', iss: ISSUER, aud: AUDIENCE, ...claims };
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
    const signature = createHmac('sha256', SECRET).update(unsigned).digest('base64url');
    return `${unsigned}.${signature}`;
  };
  const watch = (app: INestApplication, token?: string, query?: Record<string, string>) => {
    const w = new Watcher(baseUrl(app), { ...(token && { auth: { token } }), query });
    watchers.push(w);
    return w;
  };

  let app: INestApplication;
  let api: Api;
  const admin = sign({ sub: 'game-server' });
  const as = (token: string) => ({
    get: (path: string) => api.raw().get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: Record<string, unknown> = {}) =>
      api.raw().post(path).set('authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => api.raw().delete(path).set('authorization', `Bearer ${token}`),
  });
  const running = async () => {
    const id = uniqueId('acc');
    await as(admin).post('/v1/sessions', chess(id)).expect(201);
    await as(admin).post(`/v1/sessions/${id}/start`).expect(200);
    return id;
  };

  beforeAll(async () => {
    app = await start();
    api = new Api(app.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await cleanRedis();
  });

  describe("a player's token, however the path is spelled (finding 2)", () => {
    it.each(['switch', 'SWITCH', 'Switch', 'switch/'])(
      'POST …/%s ends only its own turn',
      async (spelling) => {
        const id = await running();
        const black = sign({ sub: 'bob', sessions: [id], participant_id: 'black' });
        const path = `/v1/sessions/${id}/${spelling}`;
        const notMine = await as(black).post(path);
        expect(notMine.status).toBe(409);
        expect(notMine.body.error.code).toBe('NOT_ACTIVE_PARTICIPANT');
        const forWhite = await as(black).post(path, { current_participant_id: 'white' });
        expect(forWhite.status).toBe(403);
        expect((await as(admin).get(`/v1/sessions/${id}`)).body.data.version).toBe(2);
        const white = sign({ sub: 'alice', sessions: [id], participant_id: 'white' });
        expect((await as(white).post(path)).body.data.active_participant_id).toBe('black');
      },
    );

    it.each(['PAUSE', 'pause/', 'Cancel', 'ADD-TIME'])('POST …/%s is refused', async (spelling) => {
      const id = await running();
      const white = sign({ sessions: [id], participant_id: 'white' });
      const res = await as(white).post(`/v1/sessions/${id}/${spelling}`, { ms: 1000 });
      expect(res.status).toBe(403);
      expect((await as(admin).get(`/v1/sessions/${id}`)).body.data.status).toBe('running');
    });
  });

  describe('claims of the wrong type grant nothing (finding 3)', () => {
    it.each([
      ['participant_id a number', { participant_id: 12345 }],
      ['participant_id an array', { participant_id: ['black'] }],
      ['participant_id an object', { participant_id: { id: 'white' } }],
      ['participant_id empty', { participant_id: '' }],
      ['participant_id null', { participant_id: null }],
      ['sessions a number', { sessions: 5 }],
      ['sessions with a number', { sessions: ['x', 5] }],
      ['sessions null', { sessions: null }],
      ['sub an object', { sub: { id: 1 } }],
      ['sub a number', { sub: 42 }],
    ])('%s is a 401 on every route', async (_what, claims) => {
      const id = await running();
      const token = sign(claims);
      for (const res of [
        await as(token).get(`/v1/sessions/${id}`),
        await as(token).post(`/v1/sessions/${id}/pause`),
        await as(token).post(`/v1/sessions/${id}/add-time`, {
          participant_id: 'white',
          ms: 86_400_000,
        }),
        await as(token).post(`/v1/sessions/${id}/cancel`),
        await as(token).delete(`/v1/sessions/${id}`),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
      }
      const w = watch(app, token, { sessionId: id });
      await expect(w.connected()).rejects.toMatchObject({ message: 'UNAUTHORIZED' });
      expect((await as(admin).get(`/v1/sessions/${id}`)).body.data).toMatchObject({
        status: 'running',
        version: 2,
      });
    });

    it.each([
      ['exp a string', { exp: 'tomorrow' }],
      ['nbf an object', { nbf: {} }],
      ['iat a string', { iat: 'now' }],
      ['jti a number', { jti: 7 }],
      ['a payload that is not an object', 'just text'],
    ])('%s is a 401', async (_what, claims) => {
      const token = forged(claims);
      const res = await as(token).get(`/v1/sessions/${uniqueId()}`);
      expect(res.status).toBe(401);
    });
  });

  describe('JWT refusals say nothing of what was expected (finding 9)', () => {
    it.each([
      ['a wrong issuer', jwt.sign({ sub: 'x' }, { issuer: 'elsewhere', audience: AUDIENCE })],
      ['a wrong audience', jwt.sign({ sub: 'x' }, { issuer: ISSUER, audience: 'elsewhere' })],
      ['no issuer', jwt.sign({ sub: 'x' }, { audience: AUDIENCE })],
    ])('%s', async (_what, token) => {
      const res = await as(token).get(`/v1/sessions/${uniqueId()}`);
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(ISSUER);
      expect(res.text).not.toContain(AUDIENCE);
      expect(res.text).not.toMatch(/expected/i);
    });
  });

  describe('a socket stops acting when its token expires (finding 4)', () => {
    it('a socket works until exp, and is dropped at that instant', async () => {
      const id = await running();
      const expiresAt = Math.floor(Date.now() / 1000) + 2;
      const token = jwt.sign(
        { sub: 'alice', sessions: [id], participant_id: 'white', exp: expiresAt },
        { issuer: ISSUER, audience: AUDIENCE },
      );
      const w = watch(app, token);
      await w.connected();
      expect((await w.request('session:join', { session_id: id })).state.version).toBe(2);
      const dropped = new Promise<number>((resolve) =>
        w.socket.once('disconnect', () => resolve(Date.now())),
      );
      const error = w.next('session:error', (e) => e.code === 'UNAUTHORIZED', 5000);
      const at = await dropped;
      expect(at).toBeGreaterThanOrEqual(expiresAt * 1000);
      expect(await error).toMatchObject({ message: 'the token has expired' });
      expect((await as(admin).get(`/v1/sessions/${id}`)).body.data.version).toBe(2);
    });

    it.each([
      ['session:switch', (id: string) => ({ session_id: id })],
      ['session:join', (id: string) => ({ session_id: id })],
      ['time:sync', () => ({})],
    ])('%s sent after exp is refused with 401 before its handler runs', async (event, body) => {
      const id = await running();
      const token = jwt.sign(
        { sub: 'alice', sessions: [id], exp: Math.floor(Date.now() / 1000) + 60 },
        { issuer: ISSUER, audience: AUDIENCE },
      );
      const w = watch(app, token);
      await w.connected();
      // A late timer must not matter: every event checks the expiry itself.
      const sockets = app.get(SessionsGateway).server.of('/').sockets.values();
      const principal = [...sockets].find((s) => s.handshake.auth.token === token)?.data.principal;
      expect(principal?.expiresAtMs).toEqual(expect.any(Number));
      if (principal) principal.expiresAtMs = Date.now() - 1;
      const dropped = new Promise<void>((resolve) => w.socket.once('disconnect', () => resolve()));
      const ack = await w.request(event, body(id));
      expect(ack.error).toEqual({ code: 'UNAUTHORIZED', message: 'the token has expired' });
      await dropped;
      expect((await as(admin).get(`/v1/sessions/${id}`)).body.data.version).toBe(2);
    });

    it('an expired token cannot connect', async () => {
      const token = jwt.sign(
        { sub: 'alice', exp: Math.floor(Date.now() / 1000) - 5 },
        { issuer: ISSUER, audience: AUDIENCE },
      );
      await expect(watch(app, token).connected()).rejects.toMatchObject({
        message: 'UNAUTHORIZED',
      });
    });
  });

  describe('rate limits (finding 8)', () => {
    it('tokens without sub get a bucket each; tokens with one sub share it', async () => {
      const limited = await start({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_CLIENT: '5' });
      const http = new Api(limited.getHttpServer());
      const get = (token: string) =>
        http.raw().get(`/v1/sessions/${uniqueId()}`).set('authorization', `Bearer ${token}`);
      const [a, b] = [sign({ jti: 'a' }), sign({ jti: 'b' })];
      for (let i = 0; i < 5; i++) expect((await get(a)).status).toBe(404);
      expect((await get(a)).status).toBe(429);
      expect((await get(b)).status).toBe(404);
      const [c, d] = [sign({ sub: 'same', jti: 'c' }), sign({ sub: 'same', jti: 'd' })];
      for (let i = 0; i < 5; i++) expect((await get(c)).status).toBe(404);
      expect((await get(d)).status).toBe(429);
    });

    it('failed authentication is limited per address, good credentials included, REST and sockets', async () => {
      const prefix = `${process.env.REDIS_KEY_PREFIX}-authfail`;
      const guarded = await start({
        RATE_LIMIT_ENABLED: 'true',
        AUTH_FAILURES_PER_WINDOW: '3',
        AUTH_FAILURE_WINDOW_MS: '60000',
        REDIS_KEY_PREFIX: prefix,
      });
      try {
        const http = new Api(guarded.getHttpServer());
        const get = (token: string) =>
          http.raw().get(`/v1/sessions/${uniqueId()}`).set('authorization', `Bearer ${token}`);
        for (let i = 0; i < 3; i++) expect((await get('wrong')).status).toBe(401);
        const refused = await get('wrong');
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('RATE_LIMITED');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect((await get(admin)).status).toBe(429);
        const w = watch(guarded, admin);
        await expect(w.connected()).rejects.toMatchObject({ message: 'RATE_LIMITED' });
        expect((await http.raw().get('/v1/time')).status).toBe(200);
      } finally {
        await cleanRedis(prefix);
      }
    });

    it('a time:sync flood from one socket is cut off; REST and other sockets go on', async () => {
      const flooded = await start({ SOCKET_MAX_SYNCS_PER_S: '20', SOCKET_MAX_EVENTS_PER_S: '200' });
      const flooder = watch(flooded, admin);
      const other = watch(flooded, admin);
      await Promise.all([flooder.connected(), other.connected()]);
      const answers = { ok: 0, limited: 0 };
      const dropped = new Promise<void>((resolve) =>
        flooder.socket.once('disconnect', () => resolve()),
      );
      for (let i = 0; i < 20_000; i++) {
        flooder.socket.emit('time:sync', (ack: { server_time_ms?: number; error?: unknown }) => {
          if (ack.server_time_ms !== undefined) answers.ok += 1;
          else answers.limited += 1;
        });
      }
      const rest = await new Api(flooded.getHttpServer()).raw().get('/v1/time');
      expect(rest.status).toBe(200);
      await dropped;
      // 20 at once, 20 a second after that: a flood gets the budget and no more.
      expect(answers.ok).toBeLessThan(100);
      expect(answers.ok + answers.limited).toBeLessThan(1000);
      expect((await other.request('time:sync')).server_time_ms).toEqual(expect.any(Number));
      await waitUntil(
        () => Promise.resolve(flooder.socket.connected),
        (connected) => !connected,
      );
    });

    it('a switch flood from one socket is refused past its command quota', async () => {
      const quota = await start({ SOCKET_MAX_COMMANDS_PER_S: '5' });
      const id = uniqueId('sw-flood');
      const http = new Api(quota.getHttpServer());
      await http
        .raw()
        .post('/v1/sessions')
        .set('authorization', `Bearer ${admin}`)
        .send(chess(id))
        .expect(201);
      const w = watch(quota, admin);
      await w.connected();
      const acks = await Promise.all(
        Array.from({ length: 10 }, () => w.request('session:switch', { session_id: id })),
      );
      expect(acks.filter((a) => a.error?.code === 'RATE_LIMITED')).toHaveLength(5);
    });
  });
});
