import { INestApplication } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';
import { Client } from 'pg';
import { AuditBacklog } from '../src/audit/audit-backlog';
import { keySlot } from '../src/redis/key-slot';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { Api, chess } from './support/api';
import { baseUrl, sleep, startApp, uniqueId } from './support/e2e-app';
import { OwnCluster } from './support/own-cluster';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/**
 * The service on a Redis Cluster of its own (3 masters on loopback), two instances with the
 * sharded Socket.IO adapter: only REDIS_CLUSTER_NODES and SOCKET_ADAPTER set.
 */
describe('On a 3-master Redis Cluster', () => {
  const cluster = new OwnCluster(3);
  let a: INestApplication;
  let b: INestApplication;
  let apiA: Api;
  let apiB: Api;
  let pg: Client;
  const watchers: Watcher[] = [];

  const watch = (app: INestApplication, id: string) => {
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    return w;
  };

  const versionsInAudit = async (id: string) =>
    (
      await pg.query<{ version: number }>(
        'SELECT version FROM sync_events WHERE session_id = $1 ORDER BY version',
        [id],
      )
    ).rows.map((r) => r.version);

  beforeAll(async () => {
    await cluster.start();
    const env = { REDIS_CLUSTER_NODES: cluster.nodes, SOCKET_ADAPTER: 'sharded' };
    [a, b] = await Promise.all([startApp(env), startApp(env)]);
    apiA = new Api(a.getHttpServer());
    apiB = new Api(b.getHttpServer());
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  }, 60_000);

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await pg?.end();
    await cluster.stop();
  });

  it('connects as a cluster, and is ready', async () => {
    expect((a.get<Redis>(REDIS_CLIENT) as unknown as Cluster).isCluster).toBe(true);
    await apiA.raw().get('/ready').expect(200);
  });

  it('creates, starts, switches and reads sessions spread over every master', async () => {
    // Two sessions on each master at least.
    const slots = (a.get<Redis>(REDIS_CLIENT) as unknown as Cluster).slots;
    const ids: string[] = [];
    const perMaster = new Map<string, number>();
    while (perMaster.size < 3 || [...perMaster.values()].some((n) => n < 2)) {
      const id = uniqueId('cl');
      const master = slots[keySlot(id)][0];
      perMaster.set(master, (perMaster.get(master) ?? 0) + 1);
      ids.push(id);
    }
    await Promise.all(ids.map((id) => apiA.create(chess(id)).expect(201)));
    await Promise.all(ids.map((id) => apiB.command(id, 'start').expect(200)));
    await Promise.all(ids.map((id) => apiA.command(id, 'switch').expect(200)));
    for (const id of ids) {
      const read = (await apiB.get(id).expect(200)).body.data;
      expect(read).toMatchObject({ version: 3, active_participant_id: 'black', status: 'running' });
    }
  });

  it('every watcher on either instance gets every state (sharded adapter)', async () => {
    const id = uniqueId('cl-w');
    await apiA.create(chess(id)).expect(201);
    const [wa, wb] = [watch(a, id), watch(b, id)];
    await Promise.all([wa.next('session:state'), wb.next('session:state')]);
    await apiA.command(id, 'start').expect(200);
    await apiB.command(id, 'switch').expect(200);
    for (const w of [wa, wb]) {
      await w.next('session:state', (s) => s.version === 3);
      expect(w.of('session:state').map((s) => s.version)).toEqual([1, 2, 3]);
    }
  });

  it('a deadline fires on its own, once', async () => {
    const id = uniqueId('cl-dl');
    await apiA.create(chess(id, 1000)).expect(201);
    const w = watch(b, id);
    await w.next('session:state');
    await apiA.command(id, 'start').expect(200);
    const state = await w.next('session:state', (s) => s.state.status === 'expired', 5000);
    expect(state.version).toBe(3);
    expect(w.of('session:timeout').filter((t) => t.kind === 'session')).toHaveLength(1);
  });

  it('writes the audit trail to PostgreSQL', async () => {
    const id = uniqueId('cl-au');
    await apiA.create(chess(id)).expect(201);
    await apiA.command(id, 'start').expect(200);
    await apiB.command(id, 'switch').expect(200);
    await apiA.command(id, 'pause').expect(200);
    await waitUntil(
      () => versionsInAudit(id),
      (v) => v.length === 4,
      10_000,
    );
    expect(await versionsInAudit(id)).toEqual([1, 2, 3, 4]);
  });

  it('answers a retried command with its first outcome (Idempotency-Key)', async () => {
    const id = uniqueId('cl-id');
    await apiA.create(chess(id)).expect(201);
    await apiA.command(id, 'start').expect(200);
    const first = await apiA.command(id, 'switch').set('Idempotency-Key', 'move-1').expect(200);
    const again = await apiB.command(id, 'switch').set('Idempotency-Key', 'move-1').expect(200);
    expect(again.body.data.version).toBe(first.body.data.version);
    expect((await apiA.get(id).expect(200)).body.data.version).toBe(3);
  });

  it('loses no concurrent switch: every one answered 200 is a version, in the state and the audit', async () => {
    const ids = Array.from({ length: 6 }, () => uniqueId('cl-cc'));
    await Promise.all(ids.map((id) => apiA.create(chess(id)).expect(201)));
    await Promise.all(ids.map((id) => apiA.command(id, 'start').expect(200)));
    const statuses = await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 8 }, async (_, i) => ({
          id,
          status: (await (i % 2 ? apiA : apiB).command(id, 'switch')).status,
        })),
      ),
    );
    for (const id of ids) {
      const accepted = statuses.filter((s) => s.id === id && s.status === 200).length;
      expect(accepted).toBeGreaterThan(0);
      const version = (await apiA.get(id).expect(200)).body.data.version as number;
      expect(version).toBe(2 + accepted);
      const all = Array.from({ length: version }, (_, i) => i + 1);
      await waitUntil(
        () => versionsInAudit(id),
        (v) => v.length === version,
        10_000,
      );
      expect(await versionsInAudit(id)).toEqual(all);
    }
  });

  it('measures the audit backlog from keys on every master (MEMORY USAGE)', async () => {
    // A prefix of its own and no consumer: the outboxes and jobs stay to be measured.
    const producer = await startApp({
      REDIS_CLUSTER_NODES: cluster.nodes,
      SOCKET_ADAPTER: 'sharded',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-bl`,
      AUDIT_WORKER: 'false',
    });
    try {
      const slots = (producer.get<Redis>(REDIS_CLIENT) as unknown as Cluster).slots;
      const masters = new Set<string>();
      const ids: string[] = [];
      // Several per index shard: their MEMORY USAGE calls share one auto-pipeline.
      while (masters.size < 3 || ids.length < 32) {
        const id = uniqueId('cl-bl');
        masters.add(slots[keySlot(id)][0]);
        ids.push(id);
      }
      const api = new Api(producer.getHttpServer());
      await Promise.all(ids.map((id) => api.create(chess(id)).expect(201)));
      const figure = await producer.get(AuditBacklog).measure();
      expect(figure.sessions).toBe(ids.length);
      expect(figure.bytes).toBeGreaterThan(0);
    } finally {
      await producer.close();
    }
  });

  it('the worker process (npm run start:worker) consumes on the cluster too', async () => {
    // A prefix of its own: the instances above would consume the jobs otherwise.
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodes,
      SOCKET_ADAPTER: 'sharded',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-w`,
    };
    const producer = await startApp({ ...env, AUDIT_WORKER: 'false', WEBHOOK_WORKER: 'false' });
    try {
      const id = uniqueId('cl-wk');
      await new Api(producer.getHttpServer()).create(chess(id)).expect(201);
      await sleep(300);
      expect(await versionsInAudit(id)).toEqual([]);
      const { NestFactory } = await import('@nestjs/core');
      const { WorkerModule } = await import('../src/worker.module');
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), {
        logger: ['error'],
      });
      try {
        await waitUntil(
          () => versionsInAudit(id),
          (v) => v.length === 1,
          10_000,
        );
      } finally {
        await worker.close();
      }
    } finally {
      await producer.close();
    }
  });
});
