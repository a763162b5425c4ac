import { asErrorPayload, SyncKairosError } from './errors';
import type { CommandOptions } from './types';

export interface RestOptions {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  options?: CommandOptions;
}

/** The contract's REST API over `fetch`: `{ data }` bodies in, SyncKairosError out. */
export class RestClient {
  constructor(private readonly options: RestOptions) {}

  /** Sends a request and returns its `data` (undefined for a 204). */
  async request<T>(spec: RequestSpec): Promise<T> {
    const res = await this.send(spec).catch((err: SyncKairosError) => {
      // A connection that died before answering: sent again where a repeat changes nothing.
      if (err.code !== 'NETWORK_ERROR' || !repeatable(spec)) throw err;
      return this.send(spec);
    });
    if (res.status === 204) return undefined as T;
    const body = await readJson(res);
    if (!res.ok) {
      const error = (body as { error?: unknown } | null)?.error;
      throw new SyncKairosError(res.status, asErrorPayload(error, `HTTP ${res.status}`));
    }
    return (body as { data: T }).data;
  }

  private async send(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const key = spec.options?.idempotencyKey;
    if (key !== undefined) headers['idempotency-key'] = key;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = spec.options?.signal ? anySignal([spec.options.signal, timeout]) : timeout;
    try {
      return await this.options.fetch(`${this.options.baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal,
      });
    } catch (err) {
      if (spec.options?.signal?.aborted) {
        throw new SyncKairosError(0, { code: 'ABORTED', message: 'the request was aborted' });
      }
      const timedOut = timeout.aborted;
      throw new SyncKairosError(0, {
        code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        message: timedOut
          ? `no answer within ${this.options.timeoutMs} ms`
          : `request failed: ${(err as Error).message}`,
      });
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SyncKairosError(res.status, {
      code: 'UNEXPECTED_RESPONSE',
      message: `HTTP ${res.status}: the body is not JSON`,
    });
  }
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

/** Reads and deletes are idempotent; a command is when it carries an idempotency key. */
function repeatable(spec: RequestSpec): boolean {
  return spec.method !== 'POST' || spec.options?.idempotencyKey !== undefined;
}

export const sessionPath = (id: string, action?: string): string =>
  `/v1/sessions/${encodeURIComponent(id)}${action === undefined ? '' : `/${action}`}`;
