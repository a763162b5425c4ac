import { INestApplication } from '@nestjs/common';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/**
 * Issue 14, the input findings: every hostile body, query and socket payload is a clear 400
 * naming what is wrong (never a 500, a crash, or data silently changed).
 */
describe('hostile input', () => {
  let app: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    api = new Api(app.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  /** Bytes exactly as given (supertest would re-encode a Buffer sent as JSON). */
  const rawPost = (path: string, headers: Record<string, string>, body: Buffer) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(`${baseUrl(app)}${path}`, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });

  const fields = (res: { body: { error?: { details?: { fields?: { field: string }[] } } } }) =>
    (res.body.error?.details?.fields ?? []).map((f) => f.field);

  const expect400 = (res: { status: number; body: any }, field: string, message?: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(fields(res)).toContain(field);
    if (message) {
      const found = res.body.error.details.fields.find((f: { field: string }) => f.field === field);
      expect(found.message).toMatch(message);
    }
  };

  const perCycle = (id: string, extra: Record<string, unknown> = {}) => ({
    session_id: id,
    sync_mode: 'per_cycle',
    total_time_ms: 60_000,
    time_per_cycle_ms: 5000,
    participants: [{ participant_id: 'a' }, { participant_id: 'b' }],
    ...extra,
  });

  describe('null is refused where the contract does not allow it (finding 1)', () => {
    it('the poison per_cycle session: time_per_cycle_ms null is a 400, nothing is created', async () => {
      const id = uniqueId('poison');
      const res = await api.create(perCycle(id, { time_per_cycle_ms: null }));
      expect400(res, 'time_per_cycle_ms', /must not be null/);
      expect((await api.get(id)).status).toBe(404);
    });

    it.each([
      ['increment_ms', { increment_ms: null }],
      ['max_time_ms', { max_time_ms: null }],
      ['auto_advance', { auto_advance: null }],
      ['metadata', { metadata: null }],
      ['session_id', { session_id: null }],
      ['participants', { participants: null }],
      ['participants.0', { participants: [null, { participant_id: 'b' }] }],
      [
        'participants.0.group_id',
        { participants: [{ participant_id: 'a', group_id: null }, { participant_id: 'b' }] },
      ],
      [
        'participants.1.participant_index',
        {
          participants: [{ participant_id: 'a' }, { participant_id: 'b', participant_index: null }],
        },
      ],
      [
        'participants.0.total_time_ms',
        { participants: [{ participant_id: 'a', total_time_ms: null }, { participant_id: 'b' }] },
      ],
    ])('create with %s null', async (field, extra) => {
      const id = uniqueId('null');
      expect400(await api.create(perCycle(id, extra)), field, /must not be null/);
    });

    it('switch with expected_version null is a 400, not a 409', async () => {
      const id = uniqueId('null-sw');
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
      for (const body of [
        { expected_version: null },
        { current_participant_id: null },
        { next_participant_id: null },
      ]) {
        expect400(await api.command(id, 'switch', body), Object.keys(body)[0], /must not be null/);
      }
      expect((await api.get(id)).body.data.version).toBe(2);
    });

    it('add-time with a null amount or id is a 400', async () => {
      const id = uniqueId('null-add');
      await api.create(chess(id)).expect(201);
      expect400(await api.command(id, 'add-time', { ms: null }), 'ms');
      expect400(
        await api.command(id, 'add-time', { ms: 1000, participant_id: null }),
        'participant_id',
      );
    });

    it('nulls inside opaque metadata are data, and come back', async () => {
      const id = uniqueId('meta-null');
      const metadata = { a: null, b: [null, 1], c: { d: null } };
      const res = await api.create(chess(id, 60_000, { metadata })).expect(201);
      expect(res.body.data.metadata).toEqual(metadata);
    });

    it('a socket switch refuses nulls the same way', async () => {
      const id = uniqueId('null-ws');
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
      const w = new Watcher(baseUrl(app));
      watchers.push(w);
      await w.connected();
      const ack = await w.request('session:switch', { session_id: id, expected_version: null });
      expect(ack.error.code).toBe('VALIDATION_ERROR');
      expect(ack.error.details.fields).toEqual([
        { field: 'expected_version', message: 'must not be null' },
      ]);
    });
  });

  describe('text PostgreSQL cannot store is refused at the edge (finding 5)', () => {
    it.each([
      ['a NUL', { note: 'a\u0000b' }, 'metadata.note'],
      ['a lone high surrogate', { note: '\ud800' }, 'metadata.note'],
      ['a lone low surrogate', { note: 'x\udc00y' }, 'metadata.note'],
      ['a NUL deep inside', { a: { b: [{ c: ['ok', '\u0000'] }] } }, 'metadata.a.b.0.c.1'],
      ['a NUL in a key', { 'k\u0000': 1 }, 'metadata.k\\u0000'],
    ])('metadata with %s names the field', async (_what, metadata, field) => {
      const id = uniqueId('text');
      expect400(await api.create(chess(id, 60_000, { metadata })), field, /NUL|surrogate/);
      expect((await api.get(id)).status).toBe(404);
    });

    it('a surrogate pair (an emoji) is text like any other', async () => {
      const id = uniqueId('emoji');
      const res = await api.create(chess(id, 60_000, { metadata: { face: '\ud83d\ude00' } }));
      expect(res.status).toBe(201);
      expect(res.body.data.metadata.face).toBe('😀');
    });
  });

  describe('bodies that cannot be decoded are clean 400s (finding 6)', () => {
    const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

    it('a body nested 2,000 deep (REST)', async () => {
      const id = uniqueId('deep');
      const body = `{"session_id":"${id}","sync_mode":"global","total_time_ms":60000,"participants":[{"participant_id":"a"}],"metadata":${deep(2000)}}`;
      const res = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send(body);
      expect400(res, 'body', /deeper than/);
      expect((await api.raw().get('/health')).status).toBe(200);
    });

    it('a deep array on a route without a DTO is refused by the parser step too', async () => {
      const res = await api
        .raw()
        .post(`/v1/sessions/${uniqueId()}/start`)
        .set('content-type', 'application/json')
        .send('['.repeat(5000) + ']'.repeat(5000));
      expect400(res, 'body', /deeper than/);
    });

    it('metadata as deep as the limit allows is kept', async () => {
      const id = uniqueId('deep-ok');
      let metadata: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 30; i++) metadata = { n: metadata };
      const res = await api.create(chess(id, 60_000, { metadata }));
      expect(res.status).toBe(201);
      expect(res.body.data.metadata).toEqual(metadata);
    });

    it('a payload nested 2,000 deep over the socket', async () => {
      const w = new Watcher(baseUrl(app));
      watchers.push(w);
      await w.connected();
      const payload = JSON.parse('['.repeat(2000) + ']'.repeat(2000));
      for (const event of ['session:switch', 'session:join', 'time:sync']) {
        const ack = await w.request(event, payload);
        expect(ack.error).toMatchObject({ code: 'VALIDATION_ERROR' });
      }
      const switchBody = JSON.parse(
        `{"session_id":"x","expected_version":${'['.repeat(1000)}${']'.repeat(1000)}}`,
      );
      expect((await w.request('session:switch', switchBody)).error.code).toBe('VALIDATION_ERROR');
      expect((await w.request('time:sync')).server_time_ms).toEqual(expect.any(Number));
    });

    const json = { 'content-type': 'application/json' };

    it('content-encoding gzip with a broken stream', async () => {
      const good = gzipSync(Buffer.from(JSON.stringify(chess(uniqueId('gz')))));
      const broken = Buffer.concat([good.subarray(0, 12), Buffer.from('not gzip at all')]);
      const res = await rawPost('/v1/sessions', { ...json, 'content-encoding': 'gzip' }, broken);
      expect400(res, 'body', /decompressed/);
    });

    it('a gzip body that is fine is read', async () => {
      const body = gzipSync(Buffer.from(JSON.stringify(chess(uniqueId('gz-ok')))));
      const res = await rawPost('/v1/sessions', { ...json, 'content-encoding': 'gzip' }, body);
      expect(res.status).toBe(201);
    });

    it('a gzip bomb is stopped at the body limit', async () => {
      const bomb = gzipSync(Buffer.from(`{"metadata":"${'x'.repeat(20 * 1024 * 1024)}"}`));
      const res = await rawPost('/v1/sessions', { ...json, 'content-encoding': 'gzip' }, bomb);
      expect400(res, 'body', /too large/);
    });

    it.each([
      ['an unknown charset', { 'content-type': 'application/json; charset=klingon' }, /charset/],
      [
        'a charset JSON does not allow',
        { 'content-type': 'application/json; charset=latin1' },
        /charset/,
      ],
      [
        'an unknown content-encoding',
        { ...json, 'content-encoding': 'compress' },
        /content-encoding/,
      ],
      ['malformed JSON', json, /not valid JSON/],
    ])('%s', async (_what, headers, message) => {
      expect400(
        await rawPost('/v1/sessions', headers, Buffer.from('{"session_id": ')),
        'body',
        message,
      );
    });
  });

  describe('query integers on /events are bounded (finding 6)', () => {
    let id: string;
    beforeAll(async () => {
      id = uniqueId('q');
      await api.create(chess(id)).expect(201);
    });

    it.each([
      'after_version=2147483648',
      'after_version=99999999999999999999',
      'after_version=1e308',
      'after_version=1e3',
      'after_version=-1',
      'after_version=1.5',
      'after_version=0x10',
      'after_version=',
      'after_version=Infinity',
      'after_version=1&after_version=2',
      'limit=1e2',
      'limit=-5',
      'cursor=bm90LWEtY3Vyc29y',
      'cursor=x&after_version=1',
    ])('%s is a 400, never a database error', async (query) => {
      const res = await api.raw().get(`/v1/sessions/${id}/events?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('after_version at the largest integer PostgreSQL holds answers an empty page', async () => {
      const res = await api.raw().get(`/v1/sessions/${id}/events?after_version=2147483647`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [] });
    });
  });

  describe('metadata is kept exactly as sent (finding 7)', () => {
    const metadata = {
      constructor: { name: 'mine' },
      nested: { constructor: 1, prototype: { x: 2 }, toString: 'text', __proto__: { y: 3 } },
      prototype: [1, 2],
      hasOwnProperty: false,
      list: [{ constructor: null }],
    };
    // JSON.parse makes "__proto__" an own key, as a client's JSON would.
    const sent = JSON.stringify(metadata).replace('"nested":{', '"nested":{"__proto__":{"y":3},');

    it('comes back from create, read and the audit trail as it was sent', async () => {
      const id = uniqueId('meta');
      const body = JSON.stringify(chess(id)).replace(/}$/, `,"metadata":${sent}}`);
      const created = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send(body);
      expect(created.status).toBe(201);
      const expected = JSON.parse(sent);
      expect(JSON.parse(JSON.stringify(created.body.data.metadata))).toEqual(expected);
      expect(created.text).toContain('"__proto__":{"y":3}');
      const read = await api.get(id).expect(200);
      expect(read.text).toContain('"__proto__":{"y":3}');
      expect(read.body.data.metadata).toEqual(expected);
      const trail = await waitUntil(
        () => api.raw().get(`/v1/sessions/${id}/events`),
        (res) => res.status === 200 && res.body.data.length === 1,
      );
      expect(trail.text).toContain('"__proto__":{"y":3}');
      expect(trail.body.data[0].state_snapshot.metadata).toEqual(expected);
    });

    it('keeps prototypes unpolluted', async () => {
      const id = uniqueId('pollute');
      const body = JSON.stringify(chess(id)).replace(
        /}$/,
        ',"metadata":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"a":{"__proto__":{"polluted":3}}}}',
      );
      await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send(body)
        .expect(201);
      await api.command(id, 'start').expect(200);
      await api.command(id, 'switch').expect(200);
      const read = await api.get(id).expect(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      const stored = read.body.data.metadata;
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      expect(Object.keys(stored)).toEqual(['__proto__', 'constructor', 'a']);
    });

    it.each([
      ['__proto__', '{"__proto__":{"admin":true},'],
      ['constructor', '{"constructor":{"x":1},'],
      ['toString', '{"toString":"x",'],
    ])('a top-level %s is refused as an unknown field', async (key, start) => {
      const id = uniqueId('proto');
      const body = JSON.stringify(chess(id)).replace(/^{/, start);
      const res = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send(body);
      expect400(res, key, /should not exist/);
    });

    it('a __proto__ inside a participant is refused as an unknown field too', async () => {
      const id = uniqueId('proto-p');
      const body = JSON.stringify(chess(id)).replace(
        '{"participant_id":"white"',
        '{"__proto__":{"x":1},"participant_id":"white"',
      );
      const res = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send(body);
      expect400(res, 'participants.0.__proto__', /should not exist/);
    });

    it('a switch body with __proto__ is refused, and the turn is not taken', async () => {
      const id = uniqueId('proto-sw');
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
      const res = await api
        .raw()
        .post(`/v1/sessions/${id}/switch`)
        .set('content-type', 'application/json')
        .send('{"__proto__":{"current_participant_id":"black"}}');
      expect400(res, '__proto__');
      expect((await api.get(id)).body.data.version).toBe(2);
    });
  });
});
