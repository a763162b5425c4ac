import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { IdentifiedRequest, requestId } from '../logging/request-log';

/** A response header: its name and value. */
export type Header = readonly [name: string, value: string];

/** Called once a request has finished (its response written), with its duration in ms. */
export type FinishedHook = (req: IdentifiedRequest, res: ServerResponse, ms: number) => void;

/** What the head of the pipeline does; a part left out is not done (bench/ceiling measures each). */
export interface HeadParts {
  /** Give each request its id (X-Request-Id). */
  requestIds: boolean;
  /** Headers every answer carries (helmet's, computed once at boot). */
  securityHeaders: readonly Header[];
  /**
   * CORS: the middleware for requests that carry an Origin or are preflights, and what it sets
   * on every other request, computed once (it depends on the configuration only).
   */
  cors?: { middleware: RequestHandler; withoutOrigin: readonly Header[] };
  /** Run when each request has finished: the request log, the HTTP metrics. */
  finished: FinishedHook[];
}

type TimedResponse = ServerResponse & { startedAt?: number; finishedHooks?: FinishedHook[] };

/** One listener function for every response: no closure per request. */
function onFinish(this: TimedResponse): void {
  const ms = performance.now() - (this.startedAt as number);
  for (const hook of this.finishedHooks as FinishedHook[]) hook(this.req, this, ms);
}

/**
 * The first middleware of the API: the request id, the security headers and CORS, and the
 * hooks that run when the request has finished, in one function. Each was its own middleware
 * (pino-http, helmet, cors, the metrics middleware): one layer of Express's router and one
 * closure less each, and the headers are set from lists made once at boot.
 */
export function pipelineHead(parts: HeadParts): RequestHandler {
  const always = [...parts.securityHeaders];
  const withoutOrigin = [...always, ...(parts.cors?.withoutOrigin ?? [])];
  const cors = parts.cors?.middleware;
  const hooks = parts.finished;
  return function head(req: Request, res: Response, next: NextFunction): void {
    if (parts.requestIds) (req as IdentifiedRequest).id = requestId(req, res);
    if (hooks.length > 0) {
      const timed = res as TimedResponse;
      timed.startedAt = performance.now();
      timed.finishedHooks = hooks;
      res.on('finish', onFinish);
    }
    const plain = !cors || (req.headers.origin === undefined && req.method !== 'OPTIONS');
    for (const [name, value] of plain ? withoutOrigin : always) res.setHeader(name, value);
    if (plain) next();
    else cors(req, res, next);
  };
}

/**
 * The headers a middleware sets on a GET without an Origin header, read by running it once on a
 * stand-in request: for middlewares whose headers depend on their configuration alone (helmet,
 * cors). It must call `next` synchronously, or its headers cannot be known this way.
 */
export function headersSetBy(middleware: RequestHandler): Header[] {
  const set = new Map<string, Header>();
  const res = {
    getHeader: (name: string) => set.get(name.toLowerCase())?.[1],
    setHeader: (name: string, value: unknown) => {
      set.set(name.toLowerCase(), [name, String(value)]);
      return res;
    },
    removeHeader: (name: string) => void set.delete(name.toLowerCase()),
    hasHeader: (name: string) => set.has(name.toLowerCase()),
  };
  const req = { method: 'GET', url: '/', headers: {} };
  let called = false;
  middleware(req as Request, res as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('the middleware failed');
    called = true;
  });
  if (!called) throw new Error('the middleware did not call next at once: its headers vary');
  return [...set.values()];
}
