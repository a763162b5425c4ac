import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Gauge } from 'prom-client';
import { Env } from '../../config/env.validation';
import { METRICS } from '../../metrics/metric-names';
import { ScrapeHooks } from '../../metrics/scrape-hooks';
import { REDIS_CLIENT } from '../../state/redis.constants';
import { LocalClock } from './local-clock';
import { ClockSample, estimateOffset, OffsetEstimate } from './offset-estimate';
import { TimeSource } from './time-source';

/** `TIME` round trips per measurement, and how many of the shortest make the estimate. */
const SAMPLES = 8;
const KEEP = 3;
/** After a failed measurement, the next comes this soon (or at the interval, if shorter). */
const RETRY_MS = 1000;

/**
 * Measures this instance's offset to Redis' clock, the one time of every instance: at boot,
 * before the instance reports ready, then every CLOCK_SYNC_INTERVAL_MS. TimeSource corrects
 * by it; readiness and commands refuse while it is unknown, stale or too uncertain.
 */
@Injectable()
export class ClockSync implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClockSync.name);
  private readonly intervalMs: number;
  private readonly maxSkewMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private wasTrusted: boolean | null = null;
  private hostSkewReported = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly local: LocalClock,
    private readonly time: TimeSource,
    private readonly hooks: ScrapeHooks,
    config: ConfigService<Env, true>,
    @InjectMetric(METRICS.clockOffset) private readonly offsetGauge: Gauge,
    @InjectMetric(METRICS.clockBound) private readonly boundGauge: Gauge,
    @InjectMetric(METRICS.clockInSync) private readonly inSyncGauge: Gauge,
  ) {
    this.intervalMs = config.get('CLOCK_SYNC_INTERVAL_MS', { infer: true });
    this.maxSkewMs = config.get('MAX_CLOCK_SKEW_MS', { infer: true });
  }

  onModuleInit(): void {
    this.hooks.register(() => this.refreshGauges());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.round();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One measurement: SAMPLES round trips one after another, the KEEP shortest kept. */
  async measure(): Promise<OffsetEstimate> {
    const samples: ClockSample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sentAt = this.local.now();
      const [seconds, micros] = await this.redis.time();
      const receivedAt = this.local.now();
      samples.push({
        sentAt,
        receivedAt,
        serverMs: Number(seconds) * 1000 + Number(micros) / 1000,
      });
    }
    const estimate = estimateOffset(samples, KEEP);
    if (!estimate) throw new Error('the clocks jumped during the measurement');
    return estimate;
  }

  private async round(): Promise<void> {
    let ok = false;
    try {
      const estimate = await this.measure();
      this.time.update(estimate);
      this.reportHostSkew(estimate.offsetMs);
      ok = true;
    } catch (err) {
      if (!this.stopped) this.logger.warn(`Redis time not measured: ${(err as Error).message}`);
    }
    this.refreshGauges();
    if (this.stopped) return;
    this.timer = setTimeout(
      () => void this.round(),
      ok ? this.intervalMs : Math.min(RETRY_MS, this.intervalMs),
    );
    this.timer.unref();
  }

  /** Gauges and the log follow the status, which also changes between measurements (age). */
  private refreshGauges(): void {
    const status = this.time.status();
    if (status.offsetMs !== null) this.offsetGauge.set(status.offsetMs / 1000);
    if (status.boundMs !== null) this.boundGauge.set(status.boundMs / 1000);
    this.inSyncGauge.set(status.trusted ? 1 : 0);
    if (status.trusted === this.wasTrusted) return;
    this.wasTrusted = status.trusted;
    if (status.trusted)
      this.logger.log(
        `Clock in step with Redis: offset ${status.offsetMs?.toFixed(1)} ms ±${status.boundMs?.toFixed(1)} ms`,
      );
    else this.logger.error(`Clock not in step with Redis, refusing commands: ${status.reason}`);
  }

  /**
   * Corrected, a skewed host still serves the right time, but the queues' delays and token
   * expiry read the host clock: worth an operator's look (NTP), once per episode.
   */
  private reportHostSkew(offsetMs: number): void {
    const skewed = this.time.status().correcting && Math.abs(offsetMs) > this.maxSkewMs;
    if (skewed && !this.hostSkewReported)
      this.logger.warn(
        `This host's clock is ${Math.round(-offsetMs)} ms off Redis time (corrected; check NTP)`,
      );
    this.hostSkewReported = skewed;
  }
}
