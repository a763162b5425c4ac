import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync } from 'node:crypto';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';

const API_KEY = 'key-0123456789abcdef';
const SECRET = 'a-secret-of-at-least-thirty-two-chars!';

describe('authentication', () => {
  const apps: INestApplication[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startApp({ ...env, RATE_LIMIT_ENABLED: 'false' });
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await cleanRedis();
  });

  describe('AUTH_MODE=apikey', () => {
    let app: INestApplication;
    let api: Api;
    beforeAll(async () => {
      app = await start({ AUTH_MODE: 'apikey', API_KEYS: `other-key-000000000,${API_KEY}` });
      api = new Api(app.getHttpServer());
    });

    it('takes the key as a bearer token or an x-api-key header', async () => {
      const id = uniqueId('ak');
      await api
        .raw()
        .post('/v1/sessions')
        .set('authorization', `Bearer ${API_KEY}`)
        .send(chess(id))
        .expect(201);
      await api.raw().get(`/v1/sessions/${id}`).set('x-api-key', API_KEY).expect(200);
    });

    it('answers 401 UNAUTHORIZED without a key or with a wrong one', async () => {
      const missing = await api.raw().get(`/v1/sessions/${uniqueId()}`);
      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe('UNAUTHORIZED');
      expect(
        (await api.raw().post('/v1/sessions').set('x-api-key', 'wrong-key-00000000').send({}))
          .status,
      ).toBe(401);
    });

    it('leaves the probes, the clock and the docs open', async () => {
      for (const path of ['/health', '/ready', '/v1/time', '/metrics', '/api-docs.json']) {
        expect((await api.raw().get(path)).status).toBe(200);
      }
    });

    it('checks the socket handshake too', async () => {
      const id = uniqueId('ak-ws');
      await api.raw().post('/v1/sessions').set('x-api-key', API_KEY).send(chess(id)).expect(201);
      const refused = new Watcher(baseUrl(app), { query: { sessionId: id } });
      await expect(refused.connected()).rejects.toMatchObject({ message: 'UNAUTHORIZED' });
      refused.close();
      const allowed = new Watcher(baseUrl(app), {
        query: { sessionId: id },
        auth: { token: API_KEY },
      });
      try {
        expect((await allowed.next('session:state')).version).toBe(1);
      } finally {
        allowed.close();
      }
    });
  });

  describe('AUTH_MODE=jwt (HS256)', () => {
    let app: INestApplication;
    let api: Api;
    const jwt = new JwtService({ secret: SECRET });
    const token = (claims: Record<string, unknown>) => jwt.sign(claims, { expiresIn: '5m' });

    beforeAll(async () => {
      app = await start({ AUTH_MODE: 'jwt', JWT_SECRET: SECRET });
      api = new Api(app.getHttpServer());
    });

    const as = (t: string) => ({
      create: (body: Record<string, unknown>) =>
        api.raw().post('/v1/sessions').set('authorization', `Bearer ${t}`).send(body),
      get: (id: string) => api.raw().get(`/v1/sessions/${id}`).set('authorization', `Bearer ${t}`),
      command: (id: string, action: string, body: Record<string, unknown> = {}) =>
        api
          .raw()
          .post(`/v1/sessions/${id}/${action}`)
          .set('authorization', `Bearer ${t}`)
          .send(body),
    });

    it('a token restricted to some sessions may act on those only (403 elsewhere)', async () => {
      const [mine, theirs] = [uniqueId('mine'), uniqueId('theirs')];
      const admin = as(token({ sub: 'game-server' }));
      await admin.create(chess(theirs)).expect(201);
      const scoped = as(token({ sub: 'table-7', sessions: [mine] }));
      await scoped.create(chess(mine)).expect(201);
      await scoped.command(mine, 'start').expect(200);
      const denied = await scoped.get(theirs);
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('FORBIDDEN');
      expect((await scoped.create(chess(uniqueId('other')))).status).toBe(403);
    });

    it("a player's token ends only its own turn, and may not run the session", async () => {
      const id = uniqueId('player');
      const admin = as(token({ sub: 'game-server' }));
      await admin.create(chess(id)).expect(201);
      await admin.command(id, 'start').expect(200);
      const white = as(token({ sub: 'alice', sessions: [id], participant_id: 'white' }));
      const black = as(token({ sub: 'bob', sessions: [id], participant_id: 'black' }));

      expect((await black.command(id, 'switch')).body.error.code).toBe('NOT_ACTIVE_PARTICIPANT');
      expect((await black.command(id, 'switch', { current_participant_id: 'white' })).status).toBe(
        403,
      );
      const moved = await white.command(id, 'switch');
      expect(moved.status).toBe(200);
      expect(moved.body.data.active_participant_id).toBe('black');
      await white.get(id).expect(200);
      for (const action of ['pause', 'complete', 'cancel', 'start']) {
        expect((await white.command(id, action)).status).toBe(403);
      }
      expect(
        (
          await api
            .raw()
            .delete(`/v1/sessions/${id}`)
            .set('authorization', `Bearer ${token({ participant_id: 'white' })}`)
        ).status,
      ).toBe(403);
    });

    it('refuses expired, forged and malformed tokens with 401', async () => {
      const expired = jwt.sign({ sub: 'x', exp: Math.floor(Date.now() / 1000) - 60 });
      const forged = new JwtService({ secret: 'another-secret-of-thirty-two-chars!!' }).sign({
        sub: 'x',
      });
      for (const t of [expired, forged, 'not.a.jwt'])
        expect((await as(t).get(uniqueId())).status).toBe(401);
    });

    it('a socket may only join the sessions its token allows', async () => {
      const [mine, theirs] = [uniqueId('ws-mine'), uniqueId('ws-theirs')];
      const admin = as(token({ sub: 'game-server' }));
      await admin.create(chess(mine)).expect(201);
      await admin.create(chess(theirs)).expect(201);
      const w = new Watcher(baseUrl(app), {
        auth: { token: token({ sessions: [mine], participant_id: 'white' }) },
      });
      try {
        await w.connected();
        expect((await w.request('session:join', { session_id: mine })).state.session_id).toBe(mine);
        expect((await w.request('session:join', { session_id: theirs })).error.code).toBe(
          'FORBIDDEN',
        );
      } finally {
        w.close();
      }
      const anonymous = new Watcher(baseUrl(app));
      await expect(anonymous.connected()).rejects.toMatchObject({ message: 'UNAUTHORIZED' });
      anonymous.close();
    });
  });

  describe('AUTH_MODE=jwt (RS256)', () => {
    it('verifies tokens signed with the private key of the configured public key', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const app = await start({
        AUTH_MODE: 'jwt',
        JWT_PUBLIC_KEY: publicKey.replace(/\n/g, '\\n'),
        JWT_ISSUER: 'lobby',
      });
      const api = new Api(app.getHttpServer());
      const signer = new JwtService({ privateKey, signOptions: { algorithm: 'RS256' } });
      const good = signer.sign({ sub: 'srv' }, { issuer: 'lobby' });
      const wrongIssuer = signer.sign({ sub: 'srv' }, { issuer: 'elsewhere' });
      const hs = new JwtService({ secret: SECRET }).sign({ sub: 'srv' }, { issuer: 'lobby' });
      const id = uniqueId('rs');
      await api
        .raw()
        .post('/v1/sessions')
        .set('authorization', `Bearer ${good}`)
        .send(chess(id))
        .expect(201);
      for (const t of [wrongIssuer, hs]) {
        expect(
          (await api.raw().get(`/v1/sessions/${id}`).set('authorization', `Bearer ${t}`)).status,
        ).toBe(401);
      }
    });
  });
});
