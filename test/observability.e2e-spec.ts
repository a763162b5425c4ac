import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

describe('metrics, health details and the API document', () => {
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  it('GET /metrics carries the default Node metrics and the service figures', async () => {
    const id = uniqueId('metrics');
    const w = new Watcher(baseUrl(app));
    try {
      await w.connected();
      await api.create(chess(id, 1000)).expect(201);
      await api.command(id, 'start').expect(200);
      await api.command(id, 'switch').expect(200);
      const text = await waitUntil(
        async () => (await api.raw().get('/metrics').expect(200)).text,
        (t) =>
          /synckairos_audit_events_written_total \d+/.test(t) &&
          !/synckairos_audit_events_written_total 0\n/.test(t),
      );
      for (const line of [
        /^process_cpu_user_seconds_total /m,
        /^nodejs_eventloop_lag_p99_seconds /m,
        /^http_requests_total\{method="POST",route="\/v1\/sessions\/:id\/switch",status="200"\} \d+/m,
        /^http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/sessions"\} \d+/m,
        /^synckairos_switch_duration_seconds_count \d+/m,
        /^synckairos_socket_connections [1-9]/m,
        /^synckairos_queue_jobs\{queue="audit",state="waiting"\} \d+/m,
        /^synckairos_queue_jobs\{queue="deadlines",state="delayed"\} \d+/m,
        /^synckairos_audit_lag_seconds_count [1-9]/m,
        /^synckairos_audit_enqueue_failures_total 0/m,
        /^# TYPE synckairos_deadline_lateness_seconds histogram/m,
        /^# TYPE synckairos_redis_errors_total counter/m,
        // Every connection the process opened, by name (RedisConnections).
        /^synckairos_redis_connections\{name="state"\} 1$/m,
        /^synckairos_redis_connections\{name="queue"\} 1$/m,
        /^synckairos_redis_connections\{name="io-sub"\} 1$/m,
      ]) {
        expect(text).toMatch(line);
      }
    } finally {
      w.close();
    }
  });

  it('GET /health/details reports every dependency', async () => {
    const res = await api.raw().get('/health/details').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toMatchObject({
      redis: { status: 'up' },
      postgres: { status: 'up' },
      queues: { status: 'up', audit: { waiting: expect.any(Number), failed: expect.any(Number) } },
      sockets: { status: 'up', connections: expect.any(Number) },
    });
  });

  it('every response carries a request id, the given one when it is sane', async () => {
    const given = await api.raw().get('/v1/time').set('x-request-id', 'trace-42');
    expect(given.headers['x-request-id']).toBe('trace-42');
    const made = await api.raw().get('/v1/time').set('x-request-id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps idle connections open longer than a load balancer does (60 s)', () => {
    const server = app.getHttpServer() as import('node:http').Server;
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });

  it('sets helmet headers', async () => {
    const res = await api.raw().get('/v1/time');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('the OpenAPI document lists every route, with examples and error bodies', async () => {
    const doc = (await api.raw().get('/api-docs.json').expect(200)).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /v1/sessions',
        'POST /v1/sessions/start',
        'GET /v1/sessions/{id}',
        'DELETE /v1/sessions/{id}',
        'POST /v1/sessions/{id}/start',
        'POST /v1/sessions/{id}/switch',
        'POST /v1/sessions/{id}/pause',
        'POST /v1/sessions/{id}/resume',
        'POST /v1/sessions/{id}/complete',
        'POST /v1/sessions/{id}/cancel',
        'POST /v1/sessions/{id}/add-time',
        'GET /v1/sessions/{id}/events',
        'GET /v1/sessions/{id}/webhook-deliveries',
        'GET /v1/time',
        'GET /health',
        'GET /ready',
        'GET /health/details',
        'GET /metrics',
      ].sort(),
    );
    const sw = doc.paths['/v1/sessions/{id}/switch'].post;
    expect(Object.keys(sw.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '409', '429', '503']),
    );
    expect(sw.responses['409'].content['application/json'].examples).toHaveProperty('CONFLICT');
    expect(doc.components.schemas.CreateSessionDto.properties.sync_mode.enum).toContain(
      'per_group',
    );
    expect(doc.components.schemas.SessionStateDto.properties.server_time_ms.example).toEqual(
      expect.any(Number),
    );
    expect((await api.raw().get('/api-docs')).status).toBe(200);
  });
});
