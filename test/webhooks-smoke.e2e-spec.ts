import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { waitUntil } from './support/wait';
import { WebhookReceiver } from './support/webhook-receiver';

describe('smoke', () => {
  let app: INestApplication;
  let api: Api;
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = await new WebhookReceiver().listen();
    app = await startApp({ WEBHOOK_SECRET: 's3cret', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '100' });
    api = new Api(app.getHttpServer());
  });
  afterAll(async () => { await app.close(); await rx.close(); await cleanRedis(); });
  it('works', async () => {
    const id = uniqueId('wh');
    const res = await api.create(chess(id, 60_000, { webhook: { url: rx.url() } }));
    console.log(res.status, JSON.stringify(res.body).slice(0, 300));
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    await waitUntil(async () => rx.of(id).length, (n) => n >= 3, 10000);
    console.log(rx.of(id).map((r) => [r.headers['idempotency-key'], r.headers['synckairos-signature']]));
    const d = await api.raw().get(`/v1/sessions/${id}/webhook-deliveries`);
    console.log(d.status, JSON.stringify(d.body).slice(0, 500));
  });
});
