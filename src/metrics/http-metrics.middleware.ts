import { Injectable, NestMiddleware } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { METRICS } from './metric-names';

/** Request rate and latency per route (the route pattern, not the path: ids stay out of labels). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    @InjectMetric(METRICS.httpRequests)
    private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRICS.httpDuration) private readonly duration: Histogram<'method' | 'route'>,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.duration.observe({ method: req.method, route }, seconds);
    });
    next();
  }
}
