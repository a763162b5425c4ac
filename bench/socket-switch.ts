/**
 * session:switch over Socket.IO: each client ends turns on its own session as fast as the
 * acknowledgements come back. Prints throughput and acknowledgement latency.
 */
import { io, Socket } from 'socket.io-client';
import { CpuMeter } from './lib/cpu';
import { LOAD_CONNECTIONS, LOAD_SECONDS, LoadResult, PhaseLength } from './lib/load';
import { summarize } from './lib/stats';

export async function runSocketSwitch(
  url: string,
  sessionIds: string[],
  length: PhaseLength = { warmup: 2, seconds: LOAD_SECONDS },
  meter?: CpuMeter,
): Promise<LoadResult> {
  const clients = Math.min(LOAD_CONNECTIONS, sessionIds.length);
  const sockets: Socket[] = await Promise.all(
    Array.from({ length: clients }, () => {
      const socket = io(url, { transports: ['websocket'], forceNew: true });
      return new Promise<Socket>((resolve) => socket.once('connect', () => resolve(socket)));
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let acknowledged = 0;
  const drive = async (socket: Socket, sessionId: string, until: number, record: boolean) => {
    while (Date.now() < until) {
      const started = performance.now();
      const ack = (await socket
        .timeout(5000)
        .emitWithAck('session:switch', { session_id: sessionId })) as {
        error?: unknown;
      };
      if (!ack.error) acknowledged += 1;
      if (!record) continue;
      if (ack.error) errors += 1;
      else latencies.push(performance.now() - started);
    }
  };
  const warmUntil = Date.now() + length.warmup * 1000;
  await Promise.all(sockets.map((s, i) => drive(s, sessionIds[i], warmUntil, false)));
  const until = Date.now() + length.seconds * 1000;
  const before = meter?.read();
  const started = Date.now();
  await Promise.all(sockets.map((s, i) => drive(s, sessionIds[i], until, true)));
  const seconds = (Date.now() - started) / 1000;
  const cpu = meter && before ? CpuMeter.delta(before, meter.read()) : undefined;
  sockets.forEach((s) => s.close());
  const stats = summarize(latencies);
  return {
    name: 'session:switch (socket)',
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: stats.p50,
    p99: stats.p99,
    errors,
    non2xx: 0,
    acknowledged,
    cpu,
  };
}
