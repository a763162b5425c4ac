import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';

/** Contract section 10: a command repeated with its Idempotency-Key returns the first outcome. */
describe('Idempotency-Key', () => {
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  const started = async (id: string) => {
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
  };

  it('a switch repeated with its key returns the first outcome and changes nothing', async () => {
    const id = uniqueId('idem');
    await started(id);
    const first = await api.command(id, 'switch').set('Idempotency-Key', 'move-1').expect(200);
    const again = await api.command(id, 'switch').set('Idempotency-Key', 'move-1').expect(200);
    expect(again.body).toEqual(first.body);
    expect((await api.get(id).expect(200)).body.data.version).toBe(3);
    // Another key is another command.
    const next = await api.command(id, 'switch').set('Idempotency-Key', 'move-2').expect(200);
    expect(next.body.data.version).toBe(4);
  });

  it('duplicates sent at once wait for the first and all answer it', async () => {
    const id = uniqueId('idem-burst');
    await started(id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.command(id, 'switch').set('Idempotency-Key', 'burst').send({}),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => a.body.data.version))).toEqual(new Set([3]));
    expect((await api.get(id).expect(200)).body.data.version).toBe(3);
  });

  it('the same key with another body is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const id = uniqueId('idem-reuse');
    await started(id);
    await api
      .command(id, 'add-time', { participant_id: 'white', ms: 1000 })
      .set('Idempotency-Key', 'k')
      .expect(200);
    const other = await api
      .command(id, 'add-time', { participant_id: 'white', ms: 2000 })
      .set('Idempotency-Key', 'k');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a decided refusal is kept too; the key is scoped to the command', async () => {
    const id = uniqueId('idem-refused');
    await api.create(chess(id)).expect(201);
    const refused = await api.command(id, 'pause').set('Idempotency-Key', 'p').expect(400);
    await api.command(id, 'start').set('Idempotency-Key', 'p').expect(200);
    const again = await api.command(id, 'pause').set('Idempotency-Key', 'p').expect(400);
    expect(again.body).toEqual(refused.body);
  });

  it('create and delete take it', async () => {
    const id = uniqueId('idem-create');
    const first = await api.create(chess(id)).set('Idempotency-Key', 'c1').expect(201);
    const again = await api.create(chess(id)).set('Idempotency-Key', 'c1').expect(201);
    expect(again.body).toEqual(first.body);
    expect((await api.create(chess(id))).status).toBe(409);
    await api.delete(id).set('Idempotency-Key', 'd1').expect(204);
    await api.delete(id).set('Idempotency-Key', 'd1').expect(204);
  });

  it.each([[''], ['has space'], ['x'.repeat(129)], ['é']])(
    'refuses the key %j with 400',
    async (key) => {
      const id = uniqueId('idem-bad');
      await started(id);
      const res = await api.command(id, 'switch').set('Idempotency-Key', key);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    },
  );

  it('socket commands take it as idempotency_key', async () => {
    const id = uniqueId('idem-socket');
    await started(id);
    const w = new Watcher(baseUrl(app));
    try {
      await w.connected();
      const cmd = { session_id: id, idempotency_key: 'sock-1' };
      const first = await w.request('session:switch', cmd);
      const again = await w.request('session:switch', cmd);
      expect(first.data.version).toBe(3);
      expect(again).toEqual(first);
      const bad = await w.request('session:switch', { session_id: id, idempotency_key: 'a b' });
      expect(bad.error.code).toBe('VALIDATION_ERROR');
    } finally {
      w.close();
    }
  });
});
