import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds spent, per part of the system, while a load ran. */
export type CpuSplit = Record<'app' | 'redis' | 'postgres' | 'load', number>;

const TICKS_PER_S = 100;

function pids(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** utime + stime of a process and all its threads, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/**
 * Where the machine's CPU goes during a load: the instance under test, Redis, PostgreSQL
 * (every backend) and the load generator itself. Linux only; elsewhere it reads zeros.
 */
export class CpuMeter {
  constructor(private readonly appPid: number | undefined) {}

  read(): CpuSplit {
    const sum = (list: number[]) => list.reduce((s, pid) => s + cpuSeconds(pid), 0);
    const self = process.cpuUsage();
    return {
      app: this.appPid === undefined ? 0 : cpuSeconds(this.appPid),
      redis: sum(pids('redis-server')),
      postgres: sum(pids('postgres')),
      load: (self.user + self.system) / 1e6,
    };
  }

  static delta(before: CpuSplit, after: CpuSplit): CpuSplit {
    const part = (key: keyof CpuSplit) => after[key] - before[key];
    return {
      app: part('app'),
      redis: part('redis'),
      postgres: part('postgres'),
      load: part('load'),
    };
  }
}
