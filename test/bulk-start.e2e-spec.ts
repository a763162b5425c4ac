import { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { SessionStore } from '../src/state/session-store';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs `fn` over `items`, `limit` at a time (the test's own client side). */
async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit)
    out.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  return out;
}

/** Contract section 9: POST /v1/sessions/start, a tournament round. */
describe('Bulk start', () => {
  let app: INestApplication;
  let api: Api;

  const createAll = async (label: string, n: number) => {
    const ids = Array.from({ length: n }, () => uniqueId(label));
    await inBatches(ids, 25, (id) => api.create(chess(id)).expect(201));
    return ids;
  };
  const bulk = (body: Record<string, unknown>) => api.raw().post('/v1/sessions/start').send(body);
  const readAll = (ids: string[]) =>
    inBatches(ids, 25, async (id) => (await api.get(id).expect(200)).body.data);

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  it('schedules 500 sessions at one instant; each starts by itself there', async () => {
    const ids = await createAll('round', 500);
    const w = new Watcher(baseUrl(app), { query: { sessionId: ids[499] } });
    try {
      await w.next('session:state');
      const at = Date.now() + 4000;
      const res = await bulk({ session_ids: ids, at_ms: at }).expect(200);
      const results = res.body.data.results;
      expect(results.map((r: any) => r.session_id)).toEqual(ids);
      for (const r of results) {
        expect(r).toMatchObject({ status: 200, data: { status: 'pending', version: 2 } });
        expect(r.data.scheduled_start_at).toBe(iso(at));
      }
      const pushed = await w.next('session:state', (s) => s.version === 3, 8000);
      expect(pushed.state.session_started_at).toBe(iso(at));
      // What Redis holds, unread: the deadline machinery started every one, at the instant.
      const store = app.get(SessionStore);
      const stored = await waitUntil(
        () => inBatches(ids, 50, (id) => store.get(id)),
        (all) => all.every((s) => s.kind === 'live' && s.state.status === 'running'),
      );
      for (const s of stored) {
        expect(s.kind === 'live' && s.state).toMatchObject({
          version: 3,
          session_started_at: at,
          cycle_started_at: at,
        });
      }
    } finally {
      w.close();
    }
  });

  it('without at_ms starts every clock now, anchored at the one instant the request arrived', async () => {
    const ids = await createAll('now', 200);
    const before = Date.now();
    const results = (await bulk({ session_ids: ids }).expect(200)).body.data.results;
    const anchors = new Set(results.map((r: any) => r.data.session_started_at));
    expect(anchors.size).toBe(1);
    const anchor = Date.parse([...anchors][0] as string);
    expect(anchor).toBeGreaterThanOrEqual(before);
    for (const r of results) {
      expect(r.data).toMatchObject({ status: 'running', version: 2 });
      expect(r.data.cycle_started_at).toBe(iso(anchor));
      expect(r.data.participants[0].time_used_ms).toBe(r.data.server_time_ms - anchor);
    }
  });

  it('a round repeated with its Idempotency-Key answers every first outcome, changing nothing', async () => {
    const [a, b] = await createAll('idem', 2);
    const missing = uniqueId('idem-missing');
    const send = () =>
      bulk({ session_ids: [a, b, missing] })
        .set('Idempotency-Key', 'round-7')
        .expect(200);
    const first = (await send()).body.data.results;
    const again = (await send()).body.data.results;
    expect(again.map((r: any) => [r.status, r.error?.code, r.data?.version])).toEqual([
      [200, undefined, 2],
      [200, undefined, 2],
      [404, 'SESSION_NOT_FOUND', undefined],
    ]);
    expect(again[0].data.session_started_at).toBe(first[0].data.session_started_at);
    for (const s of await readAll([a, b])) expect(s.version).toBe(2);
    const other = await bulk({ session_ids: [a], at_ms: Date.now() + 60_000 }).set(
      'Idempotency-Key',
      'round-7',
    );
    expect(other.body.data.results[0].error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('each session answers for itself, with the error body a start of it alone would have', async () => {
    const [fresh, running, cancelled] = await createAll('mixed', 3);
    await api.command(running, 'start').expect(200);
    await api.command(cancelled, 'cancel').expect(200);
    const missing = uniqueId('missing');
    const alone = (await api.command(running, 'start')).body;
    const results = (await bulk({ session_ids: [running, fresh, missing, cancelled] }).expect(200))
      .body.data.results;
    expect(results.map((r: any) => [r.session_id, r.status, r.error?.code])).toEqual([
      [running, 400, 'INVALID_STATE_TRANSITION'],
      [fresh, 200, undefined],
      [missing, 404, 'SESSION_NOT_FOUND'],
      [cancelled, 400, 'INVALID_STATE_TRANSITION'],
    ]);
    expect(results[0].error).toEqual(alone.error);
    expect(results[0].data).toBeUndefined();
    expect(results[1].data).toMatchObject({ session_id: fresh, status: 'running' });
  });

  it('refuses a malformed request as a whole, naming the field, and starts nothing', async () => {
    const [a, b] = await createAll('bad', 2);
    const cases: [Record<string, unknown>, string][] = [
      [{ session_ids: [] }, 'session_ids'],
      [{ session_ids: Array.from({ length: 501 }, (_, i) => `s${i}`) }, 'session_ids'],
      [{ session_ids: [a, b, a] }, 'session_ids.2'],
      [{ session_ids: [a, 'not an id'] }, 'session_ids.1'],
      [{ session_ids: [a, 7] }, 'session_ids'],
      [{ session_ids: [a], at_ms: Date.now() - 1000 }, 'at_ms'],
      [{ session_ids: [a], at_ms: Date.now() + 8 * 86_400_000 }, 'at_ms'],
      [{ session_ids: [a], at: 1 }, 'at'],
      [{}, 'session_ids'],
    ];
    for (const [body, field] of cases) {
      const res = await bulk(body);
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_ERROR']);
      expect(res.body.error.details.fields.map((f: any) => f.field)).toContain(field);
    }
    for (const s of await readAll([a, b]))
      expect(s).toMatchObject({ status: 'pending', version: 1 });
  });
});

describe('Bulk start and access', () => {
  const SECRET = 'a-secret-of-at-least-thirty-two-chars!';
  const jwt = new JwtService({ secret: SECRET });
  let app: INestApplication;

  beforeAll(async () => {
    app = await startApp({ AUTH_MODE: 'jwt', JWT_SECRET: SECRET, RATE_LIMIT_ENABLED: 'false' });
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  it('a token restricted to some sessions must reach every one listed, or nothing starts', async () => {
    const [mine, theirs] = [uniqueId('mine'), uniqueId('theirs')];
    const bearer = (claims: Record<string, unknown>) => `Bearer ${jwt.sign(claims)}`;
    const admin = bearer({ sub: 'td' });
    for (const id of [mine, theirs])
      await request(app.getHttpServer())
        .post('/v1/sessions')
        .set('authorization', admin)
        .send(chess(id))
        .expect(201);
    const scoped = bearer({ sub: 'table', sessions: [mine] });
    const refused = await request(app.getHttpServer())
      .post('/v1/sessions/start')
      .set('authorization', scoped)
      .send({ session_ids: [mine, theirs] });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(refused.body.error.message).toContain(theirs);
    const read = await request(app.getHttpServer())
      .get(`/v1/sessions/${mine}`)
      .set('authorization', admin);
    expect(read.body.data).toMatchObject({ status: 'pending', version: 1 });
    await request(app.getHttpServer())
      .post('/v1/sessions/start')
      .set('authorization', scoped)
      .send({ session_ids: [mine] })
      .expect(200);
  });
});
