import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/auth.decorators';
import { QueueMonitor } from '../queue/queue-monitor';
import { SocketStats } from '../gateway/socket-stats';
import { ClockHealthIndicator } from './clock.health';
import { PostgresHealthIndicator } from './postgres.health';
import { RedisHealthIndicator } from './redis.health';
import { ShutdownState } from './shutdown-state';

@Public()
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly postgres: PostgresHealthIndicator,
    private readonly clock: ClockHealthIndicator,
    private readonly queues: QueueMonitor,
    private readonly sockets: SocketStats,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: nothing outside the process, so a Redis blip never restarts every pod. */
  @Get('health')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('process')
          .up({ uptime_s: Math.round(process.uptime()), pid: process.pid }),
    ]);
  }

  /**
   * Readiness: this instance can serve only while Redis answers and its clock is in step with
   * Redis' (it refuses commands otherwise), and not while draining.
   */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.redis.isHealthy(),
      () => this.clock.check(),
      () => this.draining(),
    ]);
  }

  /**
   * Every dependency, for humans. 503 only when Redis is away (the service cannot work);
   * PostgreSQL and the queues are reported, the queue buffering audit writes meanwhile.
   */
  @Get('health/details')
  async details(): Promise<Record<string, unknown>> {
    const [redis, postgres, queues] = await Promise.all([
      this.redis.isHealthy(),
      this.postgres.check(),
      this.queues.counts().then(
        (counts) => this.indicators.check('queues').up(counts),
        (err: Error) => this.indicators.check('queues').down({ message: err.message }),
      ),
    ]);
    const sockets = this.indicators
      .check('sockets')
      .up({ connections: this.sockets.connections() });
    const clock = this.clock.check();
    const details: HealthIndicatorResult = {
      ...redis,
      ...postgres,
      ...queues,
      ...sockets,
      ...clock,
    };
    const redisUp = redis.redis.status === 'up';
    const degraded = Object.values(details).some((d) => d.status === 'down');
    const body = { status: redisUp ? (degraded ? 'degraded' : 'ok') : 'error', details };
    if (!redisUp) throw new ServiceUnavailableException({ ...body, status: 'error' });
    return body;
  }

  private draining(): HealthIndicatorResult {
    const indicator = this.indicators.check('lifecycle');
    return this.shutdown.isShuttingDown
      ? indicator.down({ message: 'shutting down' })
      : indicator.up();
  }
}
