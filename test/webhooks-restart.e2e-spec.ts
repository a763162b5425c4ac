import { INestApplication } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/config/typeorm.data-source';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { waitUntil } from './support/wait';
import { WebhookReceiver } from './support/webhook-receiver';

const SECRET = 'whsec_restart_0123456789';

/** Deliveries live in Redis, not in an instance: restarts and a killed instance lose nothing. */
describe('Webhooks across restarts', () => {
  let rx: WebhookReceiver;
  const env = () => ({
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_BASE_MS: '100',
  });

  beforeAll(async () => {
    rx = await new WebhookReceiver().listen();
  });

  afterAll(async () => {
    await rx.close();
    await cleanRedis();
  });

  const hooked = (id: string) => ({ ...chess(id), webhook: { url: rx.url() } });
  const versionsOf = (id: string) => rx.of(id).map((r) => r.body.version as number);

  it('a restart of every instance loses nothing: what waited is delivered afterwards, in order', async () => {
    const id = uniqueId('wh-restart');
    const queued = uniqueId('wh-queued');
    let up = false;
    rx.behaviour = () => (up ? { status: 200 } : { status: 503, text: 'down' });
    const first = await startApp(env());
    const api = new Api(first.getHttpServer());
    await api.create(hooked(id)).expect(201);
    await api.command(id, 'start').expect(200);
    await api.command(id, 'switch').expect(200);
    await waitUntil(
      () => Promise.resolve(rx.of(id).length),
      (n) => n >= 2,
    );
    await first.close();

    // Committed while no instance delivers at all.
    const producerOnly = await startApp({ ...env(), WEBHOOK_WORKER: 'false' });
    await new Api(producerOnly.getHttpServer()).create(hooked(queued)).expect(201);
    await producerOnly.close();

    up = true;
    const second = await startApp(env());
    try {
      await waitUntil(
        () => Promise.resolve(versionsOf(id).filter((v) => v > 1).length),
        (n) => n >= 2,
        15_000,
      );
      const versions = versionsOf(id);
      // The first event was retried until the receiver came back; the rest followed in order.
      expect(versions.filter((v) => v !== 1)).toEqual([2, 3]);
      expect(versions.lastIndexOf(1)).toBeLessThan(versions.indexOf(2));
      await waitUntil(
        () => Promise.resolve(versionsOf(queued)),
        (v) => v.length === 1,
      );
    } finally {
      await second.close();
    }
  }, 60_000);

  it('an instance killed mid-delivery: the event is delivered again after it, with the same key', async () => {
    const id = uniqueId('wh-killed');
    let worker: ChildProcess | null = null;
    let rescuer: INestApplication | null = null;
    rx.behaviour = (req) => {
      if (req.body?.session_id !== id) return { status: 200 };
      if (rx.of(id).length > 1) return { status: 200 };
      // The first attempt hangs, and its instance dies with it.
      worker?.kill('SIGKILL');
      return 'hang';
    };
    // This instance only commits; the worker process delivers.
    const producer = await startApp({ ...env(), WEBHOOK_WORKER: 'false' });
    try {
      worker = spawnWorker();
      const api = new Api(producer.getHttpServer());
      await api.create(hooked(id)).expect(201);
      await api.command(id, 'start').expect(200);
      await waitUntil(
        () => Promise.resolve(rx.of(id).length),
        (n) => n >= 1,
        60_000,
        100,
      );
      await waitUntil(
        () => Promise.resolve(worker?.exitCode !== null || worker?.signalCode !== null),
        (dead) => dead,
      );
      rescuer = await startApp(env());
      const got = await waitUntil(
        () => Promise.resolve(rx.of(id)),
        (r) => r.length >= 3,
        45_000,
        200,
      );
      expect(got.map((r) => r.headers['idempotency-key'])).toEqual([
        `${id}:1:session_created`,
        `${id}:1:session_created`,
        `${id}:2:session_started`,
      ]);
      const rows = await waitUntil(
        async () =>
          (
            await new Api(rescuer!.getHttpServer())
              .raw()
              .get(`/v1/sessions/${id}/webhook-deliveries`)
          ).body.data,
        (r: any[]) => r.length === 2,
      );
      // The killed attempt counted, though nobody lived to record it.
      expect(rows.map((r: any) => [r.version, r.attempt, r.status])).toEqual([
        [1, 2, 'succeeded'],
        [2, 1, 'succeeded'],
      ]);
    } finally {
      if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await rescuer?.close();
      await producer.close();
    }
  }, 120_000);

  it('the deliveries table migrates up, down and up again', async () => {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const scratch = `synckairos_wh_migrations_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await admin.query(`CREATE DATABASE ${scratch}`);
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${scratch}`;
    const ds = new DataSource(buildDataSourceOptions(url.toString()));
    await ds.initialize();
    const exists = async () =>
      (await ds.query(`SELECT to_regclass('webhook_deliveries') AS t`))[0].t !== null;
    try {
      await ds.runMigrations();
      expect(await exists()).toBe(true);
      await ds.undoLastMigration();
      expect(await exists()).toBe(false);
      await ds.runMigrations();
      expect(await exists()).toBe(true);
    } finally {
      await ds.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
      await admin.end();
    }
  });

  /** The worker entry point in a process of its own, which the test can kill. */
  function spawnWorker(): ChildProcess {
    return spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', path.join(__dirname, '../src/worker.ts')],
      {
        env: {
          ...process.env,
          ...env(),
          WORKER_HEARTBEAT_DIR: mkdtempSync(path.join(tmpdir(), 'sk-wh-')),
        },
        stdio: 'ignore',
      },
    );
  }
});
