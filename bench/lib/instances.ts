import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Starts built instances of the service (`node dist/src/main.js`) for a benchmark, each as its
 * own process as in production, or uses BENCH_URLS (comma-separated) when given.
 */
export interface Instance {
  url: string;
  process?: ChildProcess;
}

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH_PREFIX = `sk-bench-${process.pid}`;

export const benchEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/synckairos',
  REDIS_KEY_PREFIX: BENCH_PREFIX,
  RATE_LIMIT_ENABLED: 'false',
  AUTH_MODE: 'none',
  ...extra,
});

/**
 * `count` instances with `env`, and `own[i]` on top for instance i; instance i runs `mains[i]`
 * when given (another build's `dist/src/main.js`), else this checkout's build.
 */
export async function startInstances(
  count: number,
  env: Record<string, string> = {},
  own: Record<string, string>[] = [],
  mains: string[] = [],
): Promise<Instance[]> {
  if (process.env.BENCH_URLS) return process.env.BENCH_URLS.split(',').map((url) => ({ url }));
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const port = nextPort();
    const main = path.resolve(mains[i] ?? path.join(ROOT, 'dist/src/main.js'));
    const child = spawnNode(main, [], {
      ...benchEnv({ ...env, ...own[i] }),
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    instances.push({ url: `http://127.0.0.1:${port}`, process: child });
  }
  await Promise.all(instances.map((i) => waitReady(i.url)));
  return instances;
}

/** BENCH_PORT: the first port the bench's servers take (default: one derived from the pid). */
let port = Number(process.env.BENCH_PORT ?? 3400 + (process.pid % 200) * 4);
export const nextPort = (): number => port++;

/** `node <script> ...args` with BENCH_NODE_ARGS; a `.ts` script runs through ts-node. */
export function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (script.endsWith('.ts')) nodeArgs.push('-r', 'ts-node/register/transpile-only');
  return spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Waits until `url` + `probe` answers 2xx. */
export async function waitReady(url: string, probe = '/ready', timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}${probe}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}${probe} did not become ready`);
}

export async function stopInstances(instances: Instance[]): Promise<void> {
  await Promise.all(
    instances.map(
      (i) =>
        new Promise<void>((resolve) => {
          if (!i.process || i.process.exitCode !== null) return resolve();
          i.process.once('exit', () => resolve());
          i.process.kill('SIGTERM');
        }),
    ),
  );
}

export { BENCH_PREFIX };
