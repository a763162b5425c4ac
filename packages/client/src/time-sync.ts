import type { Connection } from './connection';
import type { LocalClock } from './monotonic-clock';
import type { TimeSample } from './offset-estimator';
import type { RestClient } from './rest-client';
import type { ClockOffset, EstimatedServerClock } from './server-clock-estimate';
import type { ServerTime } from './types';

const SAMPLE_TIMEOUT_MS = 5000;

export interface TimeSyncOptions {
  samplesPerSync: number;
  requestTimeoutMs: number;
  resyncIntervalMs: number;
  retrySyncMs: number;
}

/**
 * Sync rounds: several time requests one after another over the socket's `time:sync` (or
 * `GET /v1/time` while the socket is not up), handed to the estimated clock; one round at a
 * time, and the next one scheduled after each.
 */
export class TimeSync {
  private inFlight: Promise<ClockOffset> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly local: LocalClock,
    private readonly clock: EstimatedServerClock,
    private readonly rest: RestClient,
    private readonly connection: () => Connection | null,
    private readonly options: TimeSyncOptions,
  ) {}

  /** A sync round now (joins the one in flight, if any). */
  sync(): Promise<ClockOffset> {
    if (this.inFlight === null) {
      this.inFlight = this.round().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** A sync round in the background: failures are retried on the schedule. */
  kick(): void {
    this.sync().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async round(): Promise<ClockOffset> {
    let ok = false;
    try {
      const samples = await this.collect();
      ok = this.clock.addRound(samples);
    } finally {
      this.schedule(ok ? this.options.resyncIntervalMs : this.options.retrySyncMs);
    }
    if (!ok) throw new Error('time sync failed: no time request was answered');
    return this.clock.offset();
  }

  private async collect(): Promise<TimeSample[]> {
    const samples: TimeSample[] = [];
    for (let i = 0; i < this.options.samplesPerSync && !this.stopped; i++) {
      const sample = await this.sample().catch(() => null);
      if (sample !== null) samples.push(sample);
    }
    return samples;
  }

  private async sample(): Promise<TimeSample> {
    const connection = this.connection();
    const sent_at = this.local.now();
    let server: unknown;
    if (connection?.connected) {
      // a sample slower than this bounds nothing useful: the round goes on without it
      const timeout = Math.min(this.options.requestTimeoutMs, SAMPLE_TIMEOUT_MS);
      const ack = await connection.request('time:sync', undefined, timeout);
      server = (ack as { server_time_ms?: unknown } | null)?.server_time_ms;
    } else {
      const time = await this.rest.request<ServerTime>({ method: 'GET', path: '/v1/time' });
      server = time?.timestamp_ms;
    }
    const received_at = this.local.now();
    if (typeof server !== 'number' || !Number.isFinite(server)) {
      throw new Error('the time answer has no server time');
    }
    return { sent_at, received_at, server_time_ms: server };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, ms);
    // In Node, a resync alone does not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
