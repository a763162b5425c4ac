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

/** CPU seconds so far: the app's, the load generator's, and Redis's and PostgreSQL's per process. */
export interface CpuReading {
  app: number;
  load: number;
  redis: Map<number, number>;
  postgres: Map<number, number>;
}

/**
 * Where the machine's CPU goes during a load: the instance under test, Redis, PostgreSQL
 * (every backend) and the load generator itself. Linux only; elsewhere it reads zeros.
 */
export class CpuMeter {
  constructor(private readonly appPid: number | undefined) {}

  read(): CpuReading {
    const perPid = (name: string) => new Map(pids(name).map((pid) => [pid, cpuSeconds(pid)]));
    const self = process.cpuUsage();
    return {
      app: this.appPid === undefined ? 0 : cpuSeconds(this.appPid),
      load: (self.user + self.system) / 1e6,
      redis: perPid('redis-server'),
      postgres: perPid('postgres'),
    };
  }

  /**
   * Per process, so that a PostgreSQL backend that exits during the load (a pool closing an
   * idle connection) does not take its whole past CPU off the sum; one that starts counts
   * from zero. (What an exiting process spent during the load is lost: a slight undercount.)
   */
  static delta(before: CpuReading, after: CpuReading): CpuSplit {
    const grown = (b: Map<number, number>, a: Map<number, number>) =>
      [...a].reduce((sum, [pid, t]) => sum + Math.max(0, t - (b.get(pid) ?? 0)), 0);
    return {
      app: after.app - before.app,
      redis: grown(before.redis, after.redis),
      postgres: grown(before.postgres, after.postgres),
      load: after.load - before.load,
    };
  }
}
