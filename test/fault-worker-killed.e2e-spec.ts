import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { AUDIT_QUEUE } from '../src/audit/audit.constants';
import { SessionKeys } from '../src/state/session-keys';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { OwnPostgres } from './support/own-postgres';
import { waitUntil } from './support/wait';

/** An audit worker process (src/worker.ts) on this run's Redis prefix, its PostgreSQL at `dbUrl`. */
class WorkerProcess {
  private child: ChildProcess | null = null;
  readonly ready: Promise<void>;

  constructor(dbUrl: string, heartbeatDir: string) {
    this.child = spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', path.join(__dirname, '../src/worker.ts')],
      {
        env: {
          ...process.env,
          DATABASE_URL: dbUrl,
          DB_MIGRATIONS_RUN: 'false',
          LOG_LEVEL: 'info',
          DEADLINE_WORKER: 'false',
          WEBHOOK_WORKER: 'false',
          WORKER_HEARTBEAT_DIR: heartbeatDir,
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const child = this.child;
    this.ready = new Promise((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('SyncKairos worker consuming')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`worker ended: ${signal ?? code}`)));
    });
    this.ready.catch(() => undefined);
  }

  /** SIGKILL: no shutdown hook runs, its jobs stay locked until their locks run out. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

describe('a worker killed twice while it holds audit jobs', () => {
  let app: INestApplication;
  let api: Api;
  const postgres = new OwnPostgres();
  let pg: Client;
  let queue: Queue;
  let events: QueueEvents;
  let heartbeatDir: string;
  const workers: WorkerProcess[] = [];
  /** Every acknowledged version: session → version → who was to play. */
  const ledger = new Map<string, Map<number, string | null>>();
  /** Audit jobs seen stalled, and how often. */
  const stalls = new Map<string, number>();

  const acknowledge = (data: {
    session_id: string;
    version: number;
    active_participant_id: string | null;
  }) => {
    if (!ledger.has(data.session_id)) ledger.set(data.session_id, new Map());
    ledger.get(data.session_id)?.set(data.version, data.active_participant_id);
  };

  const switchAll = async () => {
    for (const id of ledger.keys())
      acknowledge((await api.command(id, 'switch').expect(200)).body.data);
  };

  /** Resolves at the next job a worker takes that `pick` accepts. */
  const nextTaken = (pick: (jobId: string) => boolean) =>
    new Promise<string>((resolve) => {
      const onActive = ({ jobId }: { jobId: string }) => {
        if (!pick(jobId)) return;
        events.off('active', onActive);
        resolve(jobId);
      };
      events.on('active', onActive);
    });

  const oldestUnwrittenSeconds = async () => {
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    return Number(/^synckairos_audit_oldest_unwritten_seconds (\S+)/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    await postgres.start();
    app = await startApp({
      DATABASE_URL: postgres.url,
      AUDIT_WORKER: 'false',
      RATE_LIMIT_ENABLED: 'false',
    });
    api = new Api(app.getHttpServer());
    queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
    events = new QueueEvents(AUDIT_QUEUE, {
      connection: { url: process.env.REDIS_URL },
      prefix: app.get(SessionKeys).queuePrefix(),
    });
    await events.waitUntilReady();
    events.on('stalled', ({ jobId }) => stalls.set(jobId, (stalls.get(jobId) ?? 0) + 1));
    pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    heartbeatDir = mkdtempSync(path.join(os.tmpdir(), 'sk-worker-'));
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await events?.close();
    postgres.thaw();
    await app?.close();
    await pg?.end();
    await postgres.cleanup();
    await cleanRedis();
    rmSync(heartbeatDir, { recursive: true, force: true });
  });

  it('every acknowledged version reaches PostgreSQL, no job fails for good, and the jobs come back in seconds', async () => {
    const worker = () => {
      const w = new WorkerProcess(postgres.url, heartbeatDir);
      workers.push(w);
      return w;
    };

    for (let i = 0; i < 8; i++) {
      const id = uniqueId('killed');
      acknowledge((await api.create(chess(id, 600_000)).expect(201)).body.data);
      acknowledge((await api.command(id, 'start').expect(200)).body.data);
    }
    // PostgreSQL hangs (SIGSTOP, server and backends): the workers take jobs and hold them.
    postgres.freeze();

    const first = worker();
    await first.ready;
    const taken = nextTaken(() => true);
    await switchAll();
    await taken;
    await first.kill();
    await switchAll();
    expect(await oldestUnwrittenSeconds()).toBeGreaterThan(0);

    // The next worker takes the dead one's jobs back, and dies holding one of them too.
    const second = worker();
    await second.ready;
    await nextTaken((jobId) => (stalls.get(jobId) ?? 0) >= 1);
    await second.kill();

    postgres.thaw();
    const third = worker();
    await third.ready;
    const expected = [...ledger.values()].reduce((n, versions) => n + versions.size, 0);
    const rows = await waitUntil(
      async () =>
        (
          await pg.query<{ session_id: string; version: number; active: string | null }>(
            `SELECT session_id, version, state->>'active_participant_id' AS active
             FROM sync_events WHERE session_id = ANY($1)`,
            [[...ledger.keys()]],
          )
        ).rows,
      (r) => r.length >= expected,
      20_000,
      100,
    );

    // Some job died with its worker twice, and still made it. (The outbox relay may have
    // written its events first: the second stall is then seen a little later.)
    await waitUntil(
      () => Promise.resolve(Math.max(...stalls.values())),
      (n) => n >= 2,
      15_000,
      100,
    );
    expect(Math.max(...stalls.values())).toBeGreaterThanOrEqual(2);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    const written = rows.map((r) => [r.session_id, r.version, r.active]);
    const acknowledged = [...ledger].flatMap(([id, versions]) =>
      [...versions].map(([version, active]) => [id, version, active]),
    );
    const order = (a: unknown[], b: unknown[]) =>
      `${a[0] as string}:${a[1] as number}`.localeCompare(`${b[0] as string}:${b[1] as number}`);
    expect(written.sort(order)).toEqual(acknowledged.sort(order));
    await waitUntil(oldestUnwrittenSeconds, (s) => s === 0, 5000);
  }, 120_000);
});
