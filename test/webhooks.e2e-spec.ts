import { INestApplication } from '@nestjs/common';
import { EVENT_TYPES } from '@synckairos/clock';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/webhook-event-types';
import { Api, chess } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { waitUntil } from './support/wait';
import { Behaviour, Received, WebhookReceiver } from './support/webhook-receiver';
import { readmeVerifySignature } from './support/webhook-recipe';

const SECRET = 'whsec_e2e_0123456789abcdef';
const verify = readmeVerifySignature();

describe('Webhooks: every change, signed, in order, to a real receiver (section 9)', () => {
  let app: INestApplication;
  let api: Api;
  let rx: WebhookReceiver;
  let fallback: WebhookReceiver;
  /** Per-session answers; 200 for the rest. */
  const answers = new Map<string, Behaviour>();
  const seen = new Map<string, number>();

  beforeAll(async () => {
    rx = await new WebhookReceiver().listen();
    rx.behaviour = (req) => {
      const id = req.body?.session_id as string;
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      return answers.get(id)?.(req, n) ?? { status: 200, text: 'ok' };
    };
    fallback = await new WebhookReceiver().listen();
    app = await startApp({
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_URL: fallback.url('/default'),
      WEBHOOK_EVENTS: 'session_created,session_deleted',
    });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await rx.close();
    await fallback.close();
    await cleanRedis();
  });

  const hooked = (body: Record<string, unknown>, events?: string[]) => ({
    ...body,
    webhook: { url: rx.url(), ...(events && { events }) },
  });
  const deliveredTo = (receiver: WebhookReceiver, id: string, n: number, timeoutMs = 10_000) =>
    waitUntil(
      () => Promise.resolve(receiver.of(id)),
      (r) => r.length >= n,
      timeoutMs,
    );
  const delivered = (id: string, n: number, timeoutMs?: number) =>
    deliveredTo(rx, id, n, timeoutMs);
  const attempts = async (id: string) =>
    (await api.raw().get(`/v1/sessions/${id}/webhook-deliveries?limit=500`).expect(200)).body.data;

  /** Everything a request must carry, checked with the README's recipe. */
  const expectSigned = (r: Received) => {
    expect(r.headers['content-type']).toBe('application/json');
    expect(verify(r.headers['synckairos-signature'] as string, r.raw, SECRET)).toBe(true);
    expect(verify(r.headers['synckairos-signature'] as string, r.raw, 'another secret')).toBe(
      false,
    );
    expect(verify(r.headers['synckairos-signature'] as string, `${r.raw} `, SECRET)).toBe(false);
    const { session_id, version, type } = r.body;
    expect(r.headers['idempotency-key']).toBe(`${session_id}:${version}:${type}`);
    expect(r.body.id).toBe(r.headers['idempotency-key']);
    expect(Object.keys(r.body).sort()).toEqual(
      ['id', 'occurred_at_ms', 'session_id', 'state', 'type', 'version'].sort(),
    );
    // A deletion carries the state that was deleted: the version before.
    expect(r.body.state).toMatchObject({
      session_id,
      version: type === 'session_deleted' ? version - 1 : version,
      server_time_ms: r.body.occurred_at_ms,
    });
  };

  it('delivers every event type, signed as the README verifies, each with its idempotency key', async () => {
    const ids = {
      life: uniqueId('wh-life'),
      cancel: uniqueId('wh-cancel'),
      player: uniqueId('wh-player'),
      session: uniqueId('wh-expire'),
      cycle: uniqueId('wh-cycle'),
      group: uniqueId('wh-group'),
      scheduled: uniqueId('wh-scheduled'),
    };
    const restored = uniqueId('wh-restored');
    await api.create(hooked(chess(ids.scheduled))).expect(201);
    await api.command(ids.scheduled, 'start', { at_ms: Date.now() + 1000 }).expect(200);
    await api.create(hooked(chess(restored))).expect(201);
    await waitUntil(
      async () => (await api.raw().get(`/v1/sessions/${restored}/events`)).body.data ?? [],
      (rows: any[]) => rows.length === 1,
    );
    // Redis loses the session: it comes back from the audit trail, in a new epoch.
    await app.get<Redis>(REDIS_CLIENT).del(app.get(SessionKeys).session(restored));
    await api.get(restored).expect(200);
    await api.create(hooked(chess(ids.life))).expect(201);
    for (const action of ['start', 'switch', 'pause', 'resume'])
      await api.command(ids.life, action).expect(200);
    await api.command(ids.life, 'add-time', { participant_id: 'white', ms: 1000 }).expect(200);
    await api.command(ids.life, 'complete').expect(200);
    await api.create(hooked(chess(ids.cancel))).expect(201);
    await api.command(ids.cancel, 'cancel').expect(200);
    const trio = (bankA: number) => [
      { participant_id: 'a', total_time_ms: bankA },
      { participant_id: 'b', total_time_ms: 60_000 },
      { participant_id: 'c', total_time_ms: 60_000 },
    ];
    await api
      .create(
        hooked({
          session_id: ids.player,
          sync_mode: 'per_participant',
          participants: trio(1000),
          total_time_ms: 60_000,
        }),
      )
      .expect(201);
    await api.create(hooked(chess(ids.session, 1000))).expect(201);
    await api
      .create(
        hooked({
          session_id: ids.cycle,
          sync_mode: 'per_cycle',
          participants: [{ participant_id: 'a' }, { participant_id: 'b' }],
          time_per_cycle_ms: 1000,
          total_time_ms: 60_000,
        }),
      )
      .expect(201);
    await api
      .create(
        hooked({
          session_id: ids.group,
          sync_mode: 'per_group',
          participants: trio(1000).map((p, i) => ({ ...p, group_id: ['red', 'blue', 'green'][i] })),
          total_time_ms: 60_000,
        }),
      )
      .expect(201);
    for (const id of [ids.player, ids.session, ids.cycle, ids.group])
      await api.command(id, 'start').expect(200);
    await delivered(ids.cycle, 3);
    await api.command(ids.cycle, 'cancel').expect(200);
    await api.delete(ids.life).expect(204);

    await delivered(ids.life, 8);
    await delivered(ids.player, 3);
    await delivered(ids.session, 3);
    await delivered(ids.group, 3);
    await delivered(ids.cancel, 2);
    await delivered(ids.scheduled, 3);
    await delivered(restored, 2);
    expect(rx.of(restored).map((r) => [r.body.type, r.body.version])).toEqual([
      ['session_created', 1],
      ['session_restored', 100_001],
    ]);
    const all = [...Object.values(ids), restored].flatMap((id) => rx.of(id));
    expect(new Set(all.map((r) => r.body.type))).toEqual(new Set(EVENT_TYPES));
    all.forEach(expectSigned);
    // One request per version, in version order, and the audit trail's own types.
    for (const id of Object.values(ids)) {
      const versions = rx.of(id).map((r) => r.body.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    const trail = await waitUntil(
      async () => (await api.raw().get(`/v1/sessions/${ids.life}/events`)).body.data ?? [],
      (rows: any[]) => rows.length === 8,
    );
    expect(rx.of(ids.life).map((r) => r.body.type)).toEqual(trail.map((e: any) => e.event_type));
    expect(rx.of(ids.life)[2].body.state).toEqual(trail[2].state_snapshot);
    // Sessions with their own webhook never go to the default one.
    expect([...Object.values(ids), restored].flatMap((id) => fallback.of(id))).toEqual([]);
  });

  it('echoes the webhook in the state, and sends only the events asked for, still in order', async () => {
    const id = uniqueId('wh-events');
    const created = (await api.create(hooked(chess(id), ['cycle_switched'])).expect(201)).body.data;
    expect(created.webhook).toEqual({ url: rx.url(), events: ['cycle_switched'] });
    await api.command(id, 'start').expect(200);
    for (let i = 0; i < 3; i++) await api.command(id, 'switch').expect(200);
    await api.command(id, 'pause').expect(200);
    await delivered(id, 3);
    await sleep(300);
    expect(rx.of(id).map((r) => [r.body.version, r.body.type])).toEqual([
      [3, 'cycle_switched'],
      [4, 'cycle_switched'],
      [5, 'cycle_switched'],
    ]);
    const all = uniqueId('wh-all');
    const echoed = (await api.create(hooked(chess(all))).expect(201)).body.data.webhook;
    expect(echoed).toEqual({ url: rx.url(), events: [...WEBHOOK_EVENT_TYPES] });
    const reserved = uniqueId('wh-reserved');
    await api.create(hooked(chess(reserved), ['session_scheduled', 'low_time'])).expect(201);
  });

  it('sends sessions without a webhook of their own to the default, with its events only', async () => {
    const id = uniqueId('wh-default');
    const created = (await api.create(chess(id)).expect(201)).body.data;
    expect(created.webhook).toBeNull();
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    await api.delete(id).expect(204);
    const got = await deliveredTo(fallback, id, 2);
    expect(got.map((r) => [r.body.version, r.body.type])).toEqual([
      [1, 'session_created'],
      [4, 'session_deleted'],
    ]);
    got.forEach(expectSigned);
    expect(rx.of(id)).toEqual([]);
  });

  it.each([
    [{ url: 'https://10.0.0.1/hook' }, 'webhook.url'],
    [{ url: 'https://192.168.1.20/hook' }, 'webhook.url'],
    [{ url: 'https://localhost/hook' }, 'webhook.url'],
    [{ url: 'https://[::1]/hook' }, 'webhook.url'],
    [{ url: 'https://127.0.0.2/hook' }, 'webhook.url'],
    [{ url: 'https://169.254.169.254/latest/meta-data/' }, 'webhook.url'],
    [{ url: 'https://0.0.0.0/hook' }, 'webhook.url'],
    [{ url: 'https://[::ffff:10.0.0.1]/hook' }, 'webhook.url'],
    [{ url: 'https://2130706434/hook' }, 'webhook.url'],
    [{ url: 'http://93.184.216.34/hook' }, 'webhook.url'],
    [{ url: 'ftp://127.0.0.1/hook' }, 'webhook.url'],
    [{ url: 'http://user:pw@127.0.0.1/hook' }, 'webhook.url'],
    [{ url: 'not a url' }, 'webhook.url'],
    [{}, 'webhook.url'],
    [{ url: 42 }, 'webhook.url'],
    [{ url: 'http://127.0.0.1/', events: [] }, 'webhook.events'],
    [{ url: 'http://127.0.0.1/', events: ['session_started', 'bogus'] }, 'webhook.events'],
    [
      { url: 'http://127.0.0.1/', events: ['session_started', 'session_started'] },
      'webhook.events',
    ],
    [{ url: 'http://127.0.0.1/', events: 'session_started' }, 'webhook.events'],
    [{ url: 'http://127.0.0.1/', secret: 'x' }, 'webhook.secret'],
  ])('refuses webhook %j at create with a 400 naming %s', async (webhook, field) => {
    const id = uniqueId('wh-bad');
    const res = await api.create({ ...chess(id), webhook }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    await api.get(id).expect(404);
  });

  it('refuses a URL longer than 2,048 characters', async () => {
    const url = `http://127.0.0.1/${'x'.repeat(2040)}`;
    const res = await api.create({ ...chess(uniqueId('wh-long')), webhook: { url } }).expect(400);
    expect(res.body.error.details.fields[0].field).toBe('webhook.url');
  });

  it.each([null, 'https://example.com/', ['x']])(
    'refuses webhook %j that is not an object',
    async (webhook) => {
      const res = await api.create({ ...chess(uniqueId('wh-bad')), webhook }).expect(400);
      expect(res.body.error.details.fields[0].field).toBe('webhook');
    },
  );

  it('keeps a session in version order under concurrent switches', async () => {
    const ids = [uniqueId('wh-burst'), uniqueId('wh-burst'), uniqueId('wh-burst')];
    for (const id of ids) {
      // A slow receiver at times, so that deliveries overlap with the commits.
      answers.set(id, () => ({ status: 200 }));
      await api.create(hooked(chess(id, 600_000))).expect(201);
      await api.command(id, 'start').expect(200);
    }
    await Promise.all(
      ids.flatMap((id) => Array.from({ length: 30 }, () => api.command(id, 'switch').expect(200))),
    );
    for (const id of ids) {
      const got = await delivered(id, 32);
      expect(got.map((r) => r.body.version)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
      expect(got.slice(2).every((r) => r.body.type === 'cycle_switched')).toBe(true);
    }
  });

  it('retries a receiver that answers 500 for a while, doubling the wait, and keeps the order', async () => {
    const id = uniqueId('wh-flaky');
    answers.set(id, (_req, n) =>
      n < 3 ? { status: 500, text: 'busy, try later' } : { status: 200 },
    );
    await api.create(hooked(chess(id))).expect(201);
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    const oldest = await waitUntil(
      async () =>
        metric(await api.raw().get('/metrics'), 'synckairos_webhook_oldest_undelivered_seconds'),
      (v) => v > 0,
    );
    expect(oldest).toBeGreaterThan(0);
    const got = await delivered(id, 6);
    expect(got.map((r) => r.body.version)).toEqual([1, 1, 1, 1, 2, 3]);
    expect(new Set(got.slice(0, 4).map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([`${id}:1:session_created`]),
    );
    const rows = await waitUntil(
      () => attempts(id),
      (r: any[]) => r.length === 6,
    );
    expect(rows.map((r: any) => [r.version, r.attempt, r.status, r.response_code])).toEqual([
      [1, 1, 'failed', 500],
      [1, 2, 'failed', 500],
      [1, 3, 'failed', 500],
      [1, 4, 'succeeded', 200],
      [2, 1, 'succeeded', 200],
      [3, 1, 'succeeded', 200],
    ]);
    expect(rows[0].response_excerpt).toBe('busy, try later');
    for (let i = 0; i < 3; i++) {
      const wait = Date.parse(rows[i].next_try_at) - Date.parse(rows[i].attempted_at);
      expect(wait).toBeGreaterThanOrEqual(100 * 2 ** i);
      expect(Date.parse(rows[i + 1].attempted_at)).toBeGreaterThanOrEqual(
        Date.parse(rows[i].next_try_at),
      );
    }
    expect(rows[3].next_try_at).toBeNull();
    const text = await api.raw().get('/metrics');
    expect(
      metric(text, 'synckairos_webhook_deliveries_total', 'outcome="retried"'),
    ).toBeGreaterThanOrEqual(3);
    expect(
      metric(text, 'synckairos_webhook_deliveries_total', 'outcome="succeeded"'),
    ).toBeGreaterThanOrEqual(3);
  });

  it('gives up on an attempt without an answer after 5 s, and tries again', async () => {
    const id = uniqueId('wh-hang');
    answers.set(id, (_req, n) => (n === 0 ? 'hang' : { status: 200 }));
    await api.create(hooked(chess(id))).expect(201);
    await api.command(id, 'start').expect(200);
    const got = await delivered(id, 3, 20_000);
    expect(got.map((r) => r.body.version)).toEqual([1, 1, 2]);
    const rows = await waitUntil(
      () => attempts(id),
      (r: any[]) => r.length === 3,
    );
    expect(rows[0]).toMatchObject({
      attempt: 1,
      status: 'failed',
      response_code: null,
      error: 'no answer within 5000 ms',
    });
    expect(rows[0].duration_ms).toBeGreaterThanOrEqual(4900);
    expect(rows[1]).toMatchObject({ attempt: 2, status: 'succeeded', response_code: 200 });
  }, 30_000);

  it('lists the attempts page by page, and answers 404 and 400 as the events endpoint does', async () => {
    const id = uniqueId('wh-pages');
    await api.create(hooked(chess(id))).expect(201);
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    await waitUntil(
      () => attempts(id),
      (r: any[]) => r.length === 3,
    );
    const first = (await api.raw().get(`/v1/sessions/${id}/webhook-deliveries?limit=2`).expect(200))
      .body.data;
    expect(first.map((r: any) => r.version)).toEqual([1, 2]);
    const next = (
      await api
        .raw()
        .get(`/v1/sessions/${id}/webhook-deliveries?limit=2&after_id=${first[1].id}`)
        .expect(200)
    ).body.data;
    expect(next.map((r: any) => r.version)).toEqual([3]);
    await api
      .raw()
      .get(`/v1/sessions/${uniqueId('nobody')}/webhook-deliveries`)
      .expect(404);
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'after_id=-1', 'bogus=1'])
      await api.raw().get(`/v1/sessions/${id}/webhook-deliveries?${query}`).expect(400);
    const plain = uniqueId('wh-none');
    await api.create({ ...chess(plain) }).expect(201);
    await deliveredTo(fallback, plain, 1);
    await api
      .raw()
      .get(`/v1/sessions/${uniqueId('x')}/webhook-deliveries`)
      .expect(404);
  });
});

/** A sample's value from the Prometheus text (the first line of that name and labels). */
function metric(res: { text: string }, name: string, labels = ''): number {
  const line = res.text
    .split('\n')
    .find((l) => l.startsWith(labels ? `${name}{` : `${name} `) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}
