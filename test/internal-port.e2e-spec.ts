import { INestApplication } from '@nestjs/common';
import net from 'node:net';
import request from 'supertest';
import { listenInternalPort } from '../src/app.setup';
import { INTERNAL_ENDPOINTS } from '../src/common/http/internal-endpoints';
import { cleanRedis, startApp } from './support/e2e-app';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Issue 14, finding 9: with INTERNAL_PORT the operators' endpoints leave the public port. */
describe('INTERNAL_PORT', () => {
  let app: INestApplication;
  let internal: string;

  beforeAll(async () => {
    const port = await freePort();
    app = await startApp({ INTERNAL_PORT: String(port), ADMIN_PASSWORD: 'queues-password' });
    await listenInternalPort(app);
    internal = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  const spellings = (path: string) => [path, path.toUpperCase(), `${path}/`, `${path}?x=1`];

  it.each(INTERNAL_ENDPOINTS.flatMap(spellings))(
    'the public port answers %s with 404, as for a route that does not exist',
    async (path) => {
      const res = await request(app.getHttpServer()).get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    },
  );

  it('the public port still serves the API, the probes and the clock', async () => {
    for (const path of ['/health', '/ready', '/v1/time'])
      expect((await request(app.getHttpServer()).get(path)).status).toBe(200);
    expect((await request(app.getHttpServer()).get('/v1/sessions/nope')).status).toBe(404);
  });

  it('the internal port serves them', async () => {
    const metrics = await request(internal).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_requests_total');
    expect((await request(internal).get('/health/details')).body.status).toBe('ok');
    expect((await request(internal).get('/api-docs.json')).body.openapi).toMatch(/^3\./);
    expect((await request(internal).get('/api-docs')).status).toBeLessThan(400);
    const queues = await request(internal).get('/admin/queues');
    expect(queues.status).toBe(401);
    const opened = await request(internal).get('/admin/queues').auth('admin', 'queues-password');
    expect(opened.status).toBe(200);
  });

  it('closes with the application', async () => {
    const port = await freePort();
    const other = await startApp({ INTERNAL_PORT: String(port) });
    await listenInternalPort(other);
    expect((await request(`http://127.0.0.1:${port}`).get('/health')).status).toBe(200);
    await other.close();
    await expect(request(`http://127.0.0.1:${port}`).get('/health')).rejects.toThrow();
  });
});
