import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram } from 'prom-client';
import { METRICS } from './metric-names';

type RequestLabels = { method: string; route: string; status: string };
type DurationLabels = { method: string; route: string };

/** The label sets of one method on one route, made once and reused by every request. */
interface Series {
  duration: DurationLabels;
  byStatus: Map<number, RequestLabels>;
}

const UNMATCHED = 'unmatched';

/**
 * Request rate and latency per route (the route pattern, not the path: ids stay out of labels).
 * Recorded when a request has finished (the pipeline head calls `record`), with label objects
 * kept per route, method and status instead of made per request.
 */
@Injectable()
export class HttpMetrics {
  private readonly byRoute = new WeakMap<object, Map<string, Series>>();
  private readonly unmatched = new Map<string, Series>();

  constructor(
    @InjectMetric(METRICS.httpRequests)
    private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(METRICS.httpDuration) private readonly duration: Histogram<'method' | 'route'>,
  ) {}

  readonly record = (req: IncomingMessage, res: ServerResponse, ms: number): void => {
    const route = (req as IncomingMessage & { route?: { path?: unknown } }).route;
    const method = req.method ?? 'GET';
    const series = this.seriesOf(route, method);
    const status = res.statusCode;
    let labels = series.byStatus.get(status);
    if (!labels) {
      labels = { ...series.duration, status: String(status) };
      series.byStatus.set(status, labels);
    }
    this.requests.inc(labels);
    this.duration.observe(series.duration, ms / 1000);
  };

  private seriesOf(route: { path?: unknown } | undefined, method: string): Series {
    const path = typeof route?.path === 'string' ? route.path : undefined;
    let methods = route && path !== undefined ? this.byRoute.get(route) : this.unmatched;
    if (!methods) {
      methods = new Map();
      this.byRoute.set(route as object, methods);
    }
    let series = methods.get(method);
    if (!series) {
      series = { duration: { method, route: path ?? UNMATCHED }, byStatus: new Map() };
      methods.set(method, series);
    }
    return series;
  }
}
