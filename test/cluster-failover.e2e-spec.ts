import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import { keySlot } from '../src/redis/key-slot';
import { Api, chess } from './support/api';
import { sleep, startApp, uniqueId } from './support/e2e-app';
import { ClusterNode, OwnCluster } from './support/own-cluster';
import { waitUntil } from './support/wait';

const SESSIONS_PER_MASTER = 4;
const LOOPS = 6;
const LOAD_BEFORE_KILL_MS = 1500;
/** Load goes on this long after every session has taken a switch again. */
const LOAD_AFTER_RECOVERY_MS = 1000;
/** A client gives up retrying one switch after this long (a failure of the test). */
const RETRY_FOR_MS = 20_000;
const READY_WITHIN_MS = 15_000;
/** Clocks started just before the kill, running out during and after the failover. */
const DEADLINE_BANKS_MS = [2000, 4500, 7000];

/** What a 200 showed: enough to tell two states of one version apart. */
interface Ack {
  session: string;
  key: string;
  version: number;
  active: string | null;
  fingerprint: string;
  at: number;
}

interface View {
  session_id: string;
  version: number;
  status: string;
  active_participant_id: string | null;
  updated_at: string;
  cycle_started_at: string | null;
  session_started_at: string | null;
  session_completed_at: string | null;
}

interface AuditEvent {
  version: number;
  event_type: string;
  state_snapshot: View;
}

const fingerprintOf = (v: View) =>
  JSON.stringify([v.version, v.status, v.active_participant_id, v.updated_at, v.cycle_started_at]);

/** Who holds the slot: the master port serving it. */
const masterOf = (nodes: ClusterNode[], slot: number) =>
  nodes.find((n) => n.role === 'master' && n.slots.some(([from, to]) => from <= slot && slot <= to))
    ?.port;

const cmdstatWaitCalls = async (port: number) => {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    const stats = await redis.info('commandstats');
    return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
};

/**
 * A master of a Redis Cluster of the test's own (3 masters, a replica each) is SIGKILLed in
 * the middle of concurrent switches on sessions of every master, from two instances. Its
 * replica takes over, the killed node comes back as a replica, and nothing answered 200 is
 * lost: the state and the audit trail hold every acknowledged switch, deadlines fire once.
 */
describe('A master failover under load (Redis Cluster, 3 masters with a replica each)', () => {
  const cluster = new OwnCluster(3, 1);
  let apps: INestApplication[] = [];
  let apis: Api[] = [];
  const ids: string[] = [];
  const deadlineIds: string[] = [];
  const ledger: Ack[] = [];
  /** Answers that were neither 200 nor a retryable 503 (a 500, a 409, …). */
  const unexpected: { session: string; status: number; body: unknown }[] = [];
  const unresolved: { session: string; key: string }[] = [];
  const retries = new Map<string, number>();
  const readiness: { at: number; statuses: number[]; down: string[] }[] = [];
  let killed = 0;
  let promoted = 0;
  let killedAt = 0;
  let promotedAt = 0;
  let rejoinedAt = 0;
  let recoveredAt = 0;
  let stopped = false;

  const count = (what: string) => retries.set(what, (retries.get(what) ?? 0) + 1);

  /**
   * Sends a request with its Idempotency-Key until it answers other than 503 (or not at all),
   * as a client must after OUTCOME_UNKNOWN or UNAVAILABLE; null when it never did.
   */
  async function retried(
    key: string,
    send: (api: Api) => request.Test,
  ): Promise<{ status: number; body: any } | null> {
    const until = Date.now() + RETRY_FOR_MS;
    for (let attempt = 0; Date.now() < until; attempt++) {
      const res = await send(apis[attempt % apis.length])
        .set('Idempotency-Key', key)
        .timeout(5000)
        .catch((err: Error) => ({ status: 0, body: { error: { code: err.message } } }));
      if (res.status !== 503 && res.status !== 0) return res;
      count(res.status === 0 ? 'no answer' : (res.body?.error?.code ?? '503'));
      await sleep(50);
    }
    return null;
  }

  async function switchOnce(session: string, key: string): Promise<void> {
    const res = await retried(key, (api) => api.command(session, 'switch'));
    if (res === null) return void unresolved.push({ session, key });
    if (res.status !== 200)
      return void unexpected.push({ session, status: res.status, body: res.body });
    const view = res.body.data as View;
    ledger.push({
      session,
      key,
      version: view.version,
      active: view.active_participant_id,
      fingerprint: fingerprintOf(view),
      at: Date.now(),
    });
  }

  /** Creates or starts, retried like a switch; anything but `status` fails the set-up. */
  async function surely(status: number, key: string, send: (api: Api) => request.Test) {
    expect((await retried(key, send))?.status).toBe(status);
  }

  async function loop(n: number): Promise<void> {
    for (let i = 0; !stopped; i++) {
      await switchOnce(ids[Math.floor(Math.random() * ids.length)], `loop-${n}-${i}`);
    }
  }

  /**
   * /ready on every instance, every 100 ms from the kill until the load has stopped and every
   * instance has answered 200 three times in a row (or READY_WITHIN_MS and more have passed).
   */
  async function pollReadiness(): Promise<void> {
    const bound = Date.now() + READY_WITHIN_MS + 3000;
    const readyInARow = () =>
      readiness.length >= 3 && readiness.slice(-3).every((r) => r.down.length === 0);
    while (!(stopped && readyInARow()) && Date.now() < bound) {
      const answers = await Promise.all(
        apis.map((api) =>
          api
            .raw()
            .get('/ready')
            .timeout(2000)
            .then(
              (res) => ({ status: res.status, body: JSON.stringify(res.body) }),
              (err: Error) => ({ status: 0, body: err.message }),
            ),
        ),
      );
      readiness.push({
        at: Date.now(),
        statuses: answers.map((a) => a.status),
        down: answers.filter((a) => a.status !== 200).map((a) => a.body.slice(0, 300)),
      });
      await sleep(100);
    }
  }

  /** The killed master's replica is master and seen so by the surviving nodes. */
  async function followFailover(): Promise<void> {
    await waitUntil(
      () => cluster.topology([killed]).catch(() => [] as ClusterNode[]),
      (nodes) => nodes.find((n) => n.port === promoted)?.role === 'master',
      15_000,
      50,
    );
    promotedAt = Date.now();
    // Back on its nodes.conf, it learns it was failed over and follows its old replica.
    await cluster.restart(killed);
    await waitUntil(
      () => cluster.topology().catch(() => [] as ClusterNode[]),
      (nodes) => nodes.find((n) => n.port === killed)?.role === 'replica',
      15_000,
      50,
    );
    rejoinedAt = Date.now();
  }

  /** Every session took a switch answered after the promotion. */
  async function untilRecovered(): Promise<void> {
    await waitUntil(
      () =>
        Promise.resolve(
          promotedAt > 0 &&
            ids.every((id) => ledger.some((a) => a.session === id && a.at > promotedAt)),
        ),
      (done) => done,
      READY_WITHIN_MS + 5000,
      50,
    );
    recoveredAt = Date.now();
  }

  async function eventsOf(app: Api, id: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (;;) {
      const after = events.at(-1)?.version ?? 0;
      const res = await app.raw().get(`/v1/sessions/${id}/events?after_version=${after}&limit=500`);
      if (res.status !== 200) throw new Error(`events of ${id}: ${res.status}`);
      const page = res.body.data as AuditEvent[];
      events.push(...page);
      if (page.length < 500) return events;
    }
  }

  beforeAll(async () => {
    await cluster.start();
    // Errors only: every retried 503 logs a warning.
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodes,
      SOCKET_ADAPTER: 'sharded',
      LOG_LEVEL: 'warn',
    };
    apps = await Promise.all([startApp(env), startApp(env)]);
    apis = apps.map((app) => new Api(app.getHttpServer()));

    // The master to kill holds the queues' slot too: audit and deadline jobs fail over with it.
    const nodes = await cluster.topology();
    const prefix = process.env.REDIS_KEY_PREFIX as string;
    killed = masterOf(nodes, keySlot(`{${prefix}}`)) as number;
    const killedId = nodes.find((n) => n.port === killed)?.id;
    promoted = nodes.find((n) => n.masterId === killedId)?.port as number;
    expect(promoted).toBeGreaterThan(0);
    const perMaster = new Map<number, number>();
    while (perMaster.size < 3 || [...perMaster.values()].some((n) => n < SESSIONS_PER_MASTER)) {
      const id = uniqueId('fo');
      const master = masterOf(nodes, keySlot(id)) as number;
      perMaster.set(master, (perMaster.get(master) ?? 0) + 1);
      ids.push(id);
    }
    while (deadlineIds.length < DEADLINE_BANKS_MS.length) {
      const id = uniqueId('fo-dl');
      if (masterOf(nodes, keySlot(id)) === killed) deadlineIds.push(id);
    }
    await Promise.all(ids.map((id) => surely(201, id, (api) => api.create(chess(id)))));
    await Promise.all(ids.map((id) => surely(200, id, (api) => api.command(id, 'start'))));
    await Promise.all(
      deadlineIds.map((id, i) =>
        surely(201, id, (api) => api.create(chess(id, DEADLINE_BANKS_MS[i]))),
      ),
    );

    const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));
    await sleep(LOAD_BEFORE_KILL_MS);
    await Promise.all(deadlineIds.map((id) => surely(200, id, (api) => api.command(id, 'start'))));
    killedAt = Date.now();
    await cluster.kill(killed);
    const polling = pollReadiness();
    try {
      await Promise.all([followFailover(), untilRecovered()]);
      await sleep(LOAD_AFTER_RECOVERY_MS);
    } finally {
      stopped = true;
      await Promise.all([...loops, polling]);
    }
    const acked = ledger.filter((a) => a.at > killedAt);
    console.log(
      `failover: ${ledger.length} switches acknowledged (${acked.length} after the kill), ` +
        `retried ${JSON.stringify(Object.fromEntries(retries))}; promoted after ${promotedAt - killedAt} ms, ` +
        `rejoined after ${rejoinedAt - killedAt} ms, every session switched again after ${recoveredAt - killedAt} ms`,
    );
  }, 60_000);

  afterAll(async () => {
    // Bounded as main.ts bounds a shutdown (SHUTDOWN_TIMEOUT_MS, 15 s): after a failover, the
    // close often outlasts it (the hooks end within ~6 s; a later shutdown phase hangs).
    const closing = Date.now();
    const closed = await Promise.race([
      Promise.all(apps.map((app) => app.close())).then(() => true),
      sleep(15_000).then(() => false),
    ]);
    console.log(
      `instances ${closed ? 'closed' : 'still closing'} after ${Date.now() - closing} ms`,
    );
    await cluster.stop();
  }, 30_000);

  it('answers every switch 200 in the end, never a 500 or other error', () => {
    expect(unexpected).toEqual([]);
    expect(unresolved).toEqual([]);
    expect(ledger.filter((a) => a.at > killedAt).length).toBeGreaterThan(0);
  });

  it('loses no acknowledged switch and applies none twice: the state holds each key once', async () => {
    for (const id of ids) {
      const acks = ledger.filter((a) => a.session === id);
      const keys = new Set(acks.map((a) => a.key));
      const state = (await apis[0].get(id).expect(200)).body.data as View;
      // Created (1), started (2), then one version per switch key, none lost, none doubled.
      expect({ id, version: state.version }).toEqual({ id, version: 2 + keys.size });
      for (const ack of acks) {
        // A chess switch alternates: black runs after an odd version, white after an even one.
        expect({ id, version: ack.version, active: ack.active }).toEqual({
          id,
          version: ack.version,
          active: ack.version % 2 === 1 ? 'black' : 'white',
        });
      }
    }
  });

  it('never shows two contents for one version', () => {
    const seen = new Map<string, string>();
    for (const ack of ledger) {
      const slot = `${ack.session}@${ack.version}`;
      expect({ slot, fingerprint: seen.get(slot) ?? ack.fingerprint }).toEqual({
        slot,
        fingerprint: ack.fingerprint,
      });
      seen.set(slot, ack.fingerprint);
    }
  });

  it('records every acknowledged version in the audit trail, with what the answer showed', async () => {
    for (const id of ids) {
      const state = (await apis[1].get(id).expect(200)).body.data as View;
      const events = await waitUntil(
        () => eventsOf(apis[1], id),
        (e) => e.length === state.version,
        15_000,
        200,
      );
      expect(events.map((e) => e.version)).toEqual(
        Array.from({ length: state.version }, (_, i) => i + 1),
      );
      expect(fingerprintOf(events.at(-1)!.state_snapshot)).toBe(fingerprintOf(state));
      const byVersion = new Map(events.map((e) => [e.version, fingerprintOf(e.state_snapshot)]));
      for (const ack of ledger.filter((a) => a.session === id))
        expect({ version: ack.version, fingerprint: byVersion.get(ack.version) }).toEqual({
          version: ack.version,
          fingerprint: ack.fingerprint,
        });
    }
  }, 30_000);

  it(`is ready again within ${READY_WITHIN_MS / 1000} s of the kill, and switches on every session`, () => {
    const notReady = readiness.filter((r) => r.statuses.some((s) => s !== 200));
    const readyAgainAt = Math.max(killedAt, ...notReady.map((r) => r.at));
    console.log(
      `readiness: ${notReady.length} of ${readiness.length} probes not ready, ready again ${readyAgainAt - killedAt} ms after the kill`,
    );
    expect(readiness.at(-1)?.statuses).toEqual(apis.map(() => 200));
    expect(readyAgainAt - killedAt).toBeLessThan(READY_WITHIN_MS);
    expect(recoveredAt - killedAt).toBeLessThan(READY_WITHIN_MS);
  });

  it('brings the killed master back as a replica of the one that took over', async () => {
    const nodes = await cluster.topology();
    const promotedId = nodes.find((n) => n.port === promoted)?.id;
    expect(nodes.find((n) => n.port === killed)).toMatchObject({
      role: 'replica',
      masterId: promotedId,
    });
  });

  it('fires each deadline once, at its exact instant, across the failover', async () => {
    for (const [i, id] of deadlineIds.entries()) {
      const state = await waitUntil(
        async () => (await apis[0].get(id)).body.data as View,
        (s) => s?.status === 'expired',
        10_000,
        100,
      );
      expect(state.version).toBe(3);
      expect(Date.parse(state.session_completed_at!) - Date.parse(state.session_started_at!)).toBe(
        DEADLINE_BANKS_MS[i],
      );
      const events = await waitUntil(
        () => eventsOf(apis[1], id),
        (e) => e.length >= 3,
        10_000,
        200,
      );
      expect(events.map((e) => e.event_type)).toEqual([
        'session_created',
        'session_started',
        'session_expired',
      ]);
    }
  }, 30_000);

  it('had every master that served writes WAIT for its replica', async () => {
    const masters = (await cluster.topology()).filter((n) => n.role === 'master');
    expect(masters.map((n) => n.port)).toContain(promoted);
    for (const { port } of masters)
      expect({ port, waited: (await cmdstatWaitCalls(port)) > 0 }).toEqual({ port, waited: true });
  });
});
