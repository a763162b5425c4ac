import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request as the log and the exception filter see it: with its id. */
export type IdentifiedRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

/** The caller's X-Request-Id when it is sane, else a new one; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** A request that took at least this long is logged at warn, as a failed one is. */
export const SLOW_REQUEST_MS = 1000;

/** Probes and scrapes: never logged. */
const QUIET_PATHS = /^\/(health|ready|metrics)(\/|$|\?)/;

type Level = 'info' | 'warn' | 'error';

/**
 * One line per finished request, carrying its request id: 5xx at error, 4xx and slow requests
 * (SLOW_REQUEST_MS) at warn, the rest at info. The levels enabled are read once, so a request
 * the level leaves out costs a comparison and nothing else.
 */
export class RequestLog {
  private readonly enabled: Record<Level, boolean>;

  constructor(private readonly logger: Logger) {
    this.enabled = {
      info: logger.isLevelEnabled('info'),
      warn: logger.isLevelEnabled('warn'),
      error: logger.isLevelEnabled('error'),
    };
  }

  /** Whether any request can be logged at all (at LOG_LEVEL=fatal or silent, none is). */
  get active(): boolean {
    return this.enabled.error;
  }

  finished(req: IdentifiedRequest, res: ServerResponse, ms: number): void {
    const status = res.statusCode;
    const slow = ms >= SLOW_REQUEST_MS;
    const level: Level = status >= 500 ? 'error' : status >= 400 || slow ? 'warn' : 'info';
    if (!this.enabled[level]) return;
    const url = req.originalUrl ?? req.url ?? '';
    if (QUIET_PATHS.test(url)) return;
    this.logger[level](
      {
        req: { id: req.id, method: req.method, url },
        res: { statusCode: status },
        responseTime: Math.round(ms),
      },
      slow && status < 400 ? 'slow request' : 'request completed',
    );
  }
}
