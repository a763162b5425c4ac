import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';

/** The parts of OpenAPI 3 schemas the service's document uses. */
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}
interface Operation {
  parameters?: { name: string; in: 'path' | 'query'; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Runs per property, inside `npm test`: enough to find what the rules missed, bounded in time. */
const REST_RUNS = 1000;
const SOCKET_RUNS = 100;
/** No answer may take longer (the machine is shared and loaded: generous, but bounded). */
const ANSWER_BOUND_MS = 5000;

const deep = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

/** Values that break assumptions: nulls, wrong types, huge numbers, deep values, bad text. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, '', 0, -1, 1.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, true, [], {}),
  fc.constantFrom('a\u0000b', '\ud800', 'x\udc00', '\u202e', '../../etc', '%00'),
  fc.constantFrom('x'.repeat(70_000), 'é'.repeat(100)),
  fc.integer({ min: 30, max: 3000 }).map(deep),
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }),
);
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''),
  fc.string({ maxLength: 12 }),
);

/** A valid value of a schema (mostly: ranges and lengths are kept, cross-field rules are not). */
function valid(schema: Schema, doc: Document): fc.Arbitrary<unknown> {
  if (schema.$ref)
    return valid(doc.components.schemas[schema.$ref.split('/').pop() as string], doc);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ maxLength: 20 });
    case 'number':
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema.items ?? {}, doc), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object':
      if (!schema.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
          maxKeys: 5,
        });
      return fc.record(
        Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, valid(s, doc)])),
        { requiredKeys: schema.required ?? [] },
      );
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

type Path = (string | number)[];

function pathsOf(value: unknown): Path[] {
  const paths: Path[] = [[]];
  const stack: [unknown, Path][] = [[value, []]];
  while (stack.length > 0 && paths.length < 500) {
    const [v, at] = stack.pop() as [unknown, Path];
    if (typeof v !== 'object' || v === null) continue;
    for (const key of Object.keys(v)) {
      const next = [...at, Array.isArray(v) ? Number(key) : key];
      paths.push(next);
      stack.push([(v as Record<string, unknown>)[key], next]);
    }
  }
  return paths;
}

/** Defines an own property, `__proto__` included (an assignment would set the prototype). */
function put(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'remove'; at: number }
  | { kind: 'whole'; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'none' }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: hostileKey,
    value: hostileValue,
  }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('whole' as const), value: hostileValue }),
);

/** The value after the mutation, as a fresh copy. */
function mutate(value: unknown, m: Mutation): unknown {
  if (m.kind === 'none') return value;
  if (m.kind === 'whole') return m.value;
  const copy = structuredClone(value);
  const paths = pathsOf(copy);
  const path = paths[m.at % paths.length];
  if (path.length === 0 && m.kind !== 'add') return m.kind === 'replace' ? m.value : undefined;
  const parentPath = m.kind === 'add' ? path : path.slice(0, -1);
  let parent = copy as Record<string | number, unknown>;
  for (const key of parentPath) parent = parent[key] as Record<string | number, unknown>;
  if (typeof parent !== 'object' || parent === null) return copy;
  if (m.kind === 'add') put(parent, m.key, m.value);
  else if (m.kind === 'replace') put(parent, path[path.length - 1], m.value);
  else delete parent[path[path.length - 1]];
  return copy;
}

/**
 * Property-based fuzzing over the service's own OpenAPI document: for every operation, bodies,
 * path ids and query parameters generated from its schemas, then mutated (nulls, wrong types,
 * huge and deep values, NULs, lone surrogates, unknown and prototype keys). Whatever comes, the
 * answer is never a 500, comes in bounded time, and the instance stays alive.
 */
describe('fuzzing the OpenAPI schemas', () => {
  let app: INestApplication;
  let doc: Document;
  let liveId: string;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    doc = (await request(app.getHttpServer()).get('/api-docs.json').expect(200)).body as Document;
    liveId = uniqueId('fuzz');
    await request(app.getHttpServer()).post('/v1/sessions').send(chess(liveId)).expect(201);
  });

  afterAll(async () => {
    watchers.forEach((w) => w.close());
    await app.close();
    await cleanRedis();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );

  const sessionId = () =>
    fc.oneof(
      fc.constant(liveId),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      fc.constantFrom('a'.repeat(65), '..', '%00', 'é', ' ', 'game 1', 'a/b'),
      fc.string({ maxLength: 70 }),
    );

  /** Mostly values just outside the schema's range, where handlers and databases break. */
  const queryValue = (schema: Schema) => {
    const edges = [schema.minimum, schema.maximum]
      .filter((n): n is number => n !== undefined)
      .flatMap((n) => [n - 1, n + 1, n * 10 + 1]);
    return fc.oneof(
      valid(schema, doc).map(String),
      fc.constantFrom(
        ...edges.map(String),
        '1e308',
        '-1',
        '1.5',
        '',
        'abc',
        '0x10',
        '9'.repeat(40),
      ),
      fc.constantFrom(...edges.map(String), '1e308', '2147483648'),
      fc.string({ maxLength: 20 }),
    );
  };

  it('REST: no 500, an answer in bounded time, an instance alive', async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(10);
    // A valid request, then one thing made hostile: the body, one query parameter, or the id.
    const weighted = ops.map((o) => ({
      // Operations with more to fuzz are drawn more often.
      weight: 1 + (o.op.parameters?.length ?? 0) + (o.op.requestBody ? 3 : 0),
      arbitrary: fc.constant(o),
    }));
    const cases = fc.oneof(...weighted).chain(({ path, method, op }) => {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      const numeric = query.filter((q) => q.schema.type === 'number');
      const schema = op.requestBody?.content['application/json']?.schema;
      const targets = [
        'none' as const,
        ...(path.includes('{id}') ? ['id' as const] : []),
        ...(schema ? ['body' as const, 'body' as const] : []),
        ...(query.length > 0 ? ['query' as const, 'query' as const] : []),
      ];
      return fc.record({
        path: fc.constant(path),
        method: fc.constant(method),
        id: fc.oneof(fc.constant(liveId), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)),
        query: fc.record(
          Object.fromEntries(numeric.map((q) => [q.name, valid(q.schema, doc).map(String)])),
          { requiredKeys: [] },
        ),
        body: schema ? valid(schema, doc) : fc.constant(undefined),
        target: fc.constantFrom(...targets),
        mutation,
        hostileQuery:
          query.length > 0
            ? fc.oneof(...query.map((q) => fc.tuple(fc.constant(q.name), queryValue(q.schema))))
            : fc.constant(null),
        hostileId: sessionId(),
      });
    });
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const query = { ...c.query } as Record<string, string>;
        if (c.target === 'query' && c.hostileQuery) query[c.hostileQuery[0]] = c.hostileQuery[1];
        const id = c.target === 'id' ? c.hostileId : c.id;
        const url =
          c.path.replace('{id}', encodeURIComponent(id)) +
          (Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '');
        const m = c.target === 'body' ? c.mutation : ({ kind: 'none' } as Mutation);
        const body =
          c.body === undefined && m.kind === 'none' ? undefined : mutate(c.body ?? {}, m);
        const req = request(app.getHttpServer())[c.method as 'get'](url);
        const started = Date.now();
        const res =
          body === undefined || c.method === 'get'
            ? await req
            : await req
                .set('content-type', 'application/json')
                .send(JSON.stringify(body) ?? 'null');
        const took = Date.now() - started;
        if (res.status >= 500 && !(c.path.startsWith('/health') && res.status === 503))
          throw new Error(
            `${c.method.toUpperCase()} ${url} answered ${res.status}: ${res.text.slice(0, 300)}`,
          );
        if (took > ANSWER_BOUND_MS)
          throw new Error(`${c.method.toUpperCase()} ${url} took ${took} ms`);
        if (res.status >= 400 && res.status !== 503)
          expect(typeof res.body.error?.code).toBe('string');
      }),
      { numRuns: REST_RUNS },
    );
    await request(app.getHttpServer()).get('/health').expect(200);
    const id = uniqueId('after-fuzz');
    await request(app.getHttpServer()).post('/v1/sessions').send(chess(id)).expect(201);
    await request(app.getHttpServer()).get(`/v1/sessions/${id}`).expect(200);
  });

  it('sockets: session:switch payloads from the same schema never make the gateway fail', async () => {
    const w = new Watcher(baseUrl(app));
    watchers.push(w);
    await w.connected();
    const schema = doc.components.schemas.SwitchSessionDto;
    const payloads = fc
      .record({ body: valid(schema, doc), id: sessionId(), mutation })
      .map(({ body, id, mutation: m }) => mutate({ ...(body as object), session_id: id }, m))
      // Past SOCKET_MAX_PAYLOAD_BYTES the socket is dropped by design (gateway e2e).
      .filter((payload) => Buffer.byteLength(JSON.stringify(payload) ?? '') < 15_000);
    await fc.assert(
      fc.asyncProperty(payloads, async (payload) => {
        const ack = await w.request<{ error?: { code: string } }>('session:switch', payload);
        if (ack.error?.code === 'INTERNAL_ERROR')
          throw new Error(`failed on ${JSON.stringify(payload)}`);
      }),
      { numRuns: SOCKET_RUNS },
    );
    expect(w.socket.connected).toBe(true);
    expect((await w.request('time:sync')).server_time_ms).toEqual(expect.any(Number));
  });
});
