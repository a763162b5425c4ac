import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { ProxiedService } from './support/instances';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/** A plain request on its own connection: resolves with the status, or the connection error. */
function post(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end('{}');
  });
}

describe('graceful shutdown', () => {
  it('finishes the work in flight, tells sockets, drops readiness, and loses no audit event', async () => {
    const stopping = await startApp({
      SHUTDOWN_DRAIN_MS: '1000',
      RATE_LIMIT_ENABLED: 'false',
    });
    const survivor = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    const pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    const id = uniqueId('shutdown');
    const url = baseUrl(stopping);
    let w: Watcher | undefined;
    try {
      const api = new Api(stopping.getHttpServer());
      await api
        .create({
          ...chess(id),
          participants: [
            { participant_id: 'a', total_time_ms: 600_000 },
            { participant_id: 'b', total_time_ms: 600_000 },
          ],
        })
        .expect(201);
      await api.command(id, 'start').expect(200);
      w = new Watcher(url, { query: { sessionId: id } });
      await w.next('session:state');
      const told = w.next('server:shutdown', () => true, 5000);

      const inFlight = Array.from({ length: 30 }, () => post(`${url}/v1/sessions/${id}/switch`));
      await sleep(5);
      const closing = stopping.close();
      await sleep(100);
      const readyWhileDraining = await new Promise<number>((resolve) =>
        http
          .get(`${url}/ready`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', () => resolve(0)),
      );
      const answers = await Promise.all(inFlight);
      await closing;

      expect(readyWhileDraining).toBe(503);
      expect(await told).toEqual({ reconnect: true });
      expect(answers.every((a) => a === 200 || a === 'ECONNREFUSED' || a === 'ECONNRESET')).toBe(
        true,
      );
      const ok = answers.filter((a) => a === 200).length;
      expect(ok).toBeGreaterThan(0);

      // every acknowledged switch is in the state, and in the audit trail (the survivor drains the queue)
      const final = (await new Api(survivor.getHttpServer()).get(id).expect(200)).body.data;
      expect(final.version).toBe(2 + ok);
      const rows = await waitUntil(
        async () =>
          (
            await pg.query(
              'SELECT version FROM sync_events WHERE session_id = $1 ORDER BY version',
              [id],
            )
          ).rows,
        (r) => r.length === final.version,
        15_000,
      );
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: final.version }, (_, i) => i + 1),
      );
    } finally {
      w?.close();
      await survivor.close();
      await pg.end();
      await cleanRedis();
    }
  });
});

describe('a rolling deploy', () => {
  it('stock Socket.IO clients come back by themselves, through the load balancer, to the new instance', async () => {
    const service = await new ProxiedService({ RATE_LIMIT_ENABLED: 'false' }).start();
    const id = uniqueId('rolling');
    const clients: Socket[] = [];
    try {
      const api = () => new Api(service.current.getHttpServer());
      await api().create(chess(id)).expect(201);
      await api().command(id, 'start').expect(200);
      const reasons: string[] = [];
      const states = new Map<Socket, number[]>();
      for (let i = 0; i < 10; i++) {
        // The defaults of socket.io-client: reconnection on, nothing of ours.
        const socket = io(service.url, { transports: ['websocket'], query: { sessionId: id } });
        states.set(socket, []);
        socket.on('session:state', (p: { version: number }) => states.get(socket)!.push(p.version));
        socket.on('disconnect', (reason) => reasons.push(reason));
        clients.push(socket);
      }
      await waitUntil(
        () => Promise.resolve(clients.filter((c) => states.get(c)!.length > 0).length),
        (n) => n === clients.length,
        10_000,
      );
      const before = service.current;

      await service.replace();

      expect(service.current).not.toBe(before);
      // A transport close, not `io server disconnect`: the client counts it as a network failure.
      expect(reasons).toHaveLength(clients.length);
      expect(reasons.every((r) => r === 'transport close')).toBe(true);
      await waitUntil(
        () => Promise.resolve(clients.filter((c) => c.connected).length),
        (n) => n === clients.length,
        15_000,
      );
      const switched = (await api().command(id, 'switch').expect(200)).body.data.version;
      await waitUntil(
        () => Promise.resolve(clients.filter((c) => states.get(c)!.includes(switched)).length),
        (n) => n === clients.length,
        10_000,
      );
      expect(clients.every((c) => c.active)).toBe(true);
    } finally {
      for (const c of clients) c.close();
      await service.stop();
      await cleanRedis();
    }
  }, 60_000);
});

describe('the process', () => {
  it('on SIGTERM closes everything and ends promptly, well before the shutdown deadline', async () => {
    const port = 20_000 + (process.pid % 20_000);
    const child = spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', path.join(__dirname, '../src/main.ts')],
      {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          SHUTDOWN_TIMEOUT_MS: '60000',
          SHUTDOWN_DRAIN_MS: '0',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
    );
    try {
      await waitUntil(
        () =>
          fetch(`http://127.0.0.1:${port}/ready`).then(
            (r) => r.status,
            () => 0,
          ),
        (status) => status === 200,
        40_000,
        200,
      );
      const stopAsked = Date.now();
      child.kill('SIGTERM');
      // Nest closes everything, then raises the signal again to end as the signal asked.
      expect(await exited).toBe('SIGTERM');
      // Far below the 60 s deadline: nothing pending (a timer, a connection) holds it open.
      expect(Date.now() - stopAsked).toBeLessThan(15_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
