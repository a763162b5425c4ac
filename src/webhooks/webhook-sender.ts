import { Injectable } from '@nestjs/common';
import http from 'node:http';
import https from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { CheckedAddress, CheckedTarget } from './ssrf-guard';

/** Control characters but tab and newlines (NUL above all, which PostgreSQL's text refuses). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** How much of a receiver's answer is kept (the attempts table shows it). */
export const EXCERPT_BYTES = 256;

export interface SendResult {
  /** A 2xx answer. */
  ok: boolean;
  status: number | null;
  /** The first bytes of the answer's body, as text; the rest is never read. */
  excerpt: string | null;
  /** Why no answer came (timeout, connection refused…), or null. */
  error: string | null;
  durationMs: number;
}

/**
 * POSTs one body to a checked target: connects only to the target's checked addresses (the
 * lookup is fixed, so nothing resolves the name again), follows no redirect (a 3xx is an
 * answer like any other), reads at most EXCERPT_BYTES of the answer and gives up after
 * `timeoutMs` from the start, connecting included. No pooled connection is reused.
 */
@Injectable()
export class WebhookSender {
  post(
    target: CheckedTarget,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<SendResult> {
    const started = Date.now();
    const client = target.url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve({ ...result, durationMs: Date.now() - started });
      };
      const req = client.request(requestOptions(target, headers, body));
      // Once the answer's status is in, a body that trickles does not turn it into a timeout.
      let answered: number | null = null;
      let excerptSoFar: () => string | null = () => null;
      const timer = setTimeout(() => {
        if (answered !== null) return answer(answered, excerptSoFar());
        finish({
          ok: false,
          status: null,
          excerpt: null,
          error: `no answer within ${timeoutMs} ms`,
        });
      }, timeoutMs);
      const answer = (status: number, excerpt: string | null) =>
        finish({ ok: status >= 200 && status < 300, status, excerpt, error: null });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (answered !== null) answer(answered, excerptSoFar());
        else finish({ ok: false, status: null, excerpt: null, error: describe(err) });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        answered = status;
        excerptSoFar = readExcerpt(res, (excerpt) => answer(status, excerpt));
      });
      req.end(body);
    });
  }
}

/** A POST to the target's checked addresses: no agent, no pooling, the lookup fixed. */
function requestOptions(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
): https.RequestOptions {
  const tls = target.url.protocol === 'https:';
  return {
    method: 'POST',
    host: target.host,
    port: target.url.port === '' ? undefined : Number(target.url.port),
    path: `${target.url.pathname}${target.url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    agent: false,
    lookup: fixedLookup(target.addresses),
    // The certificate must be the host name's (a bare address has no SNI).
    ...(tls && isIP(target.host) === 0 && { servername: target.host }),
  };
}

/**
 * Collects the first EXCERPT_BYTES of the body, then stops reading; returns what it has so far
 * (for an answer whose body does not end in time).
 */
function readExcerpt(
  res: http.IncomingMessage,
  done: (excerpt: string | null) => void,
): () => string | null {
  const chunks: Buffer[] = [];
  let size = 0;
  const text = () =>
    size === 0
      ? null
      : Buffer.concat(chunks)
          .subarray(0, EXCERPT_BYTES)
          .toString('utf8')
          .replace(CONTROL_CHARACTERS, '');
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) done(text());
  });
  res.on('end', () => done(text()));
  res.on('error', () => done(text()));
  return text;
}

/** A lookup that answers with the addresses already checked, whatever the name. */
export function fixedLookup(addresses: CheckedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as unknown as (err: null, all: CheckedAddress[]) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

function describe(err: NodeJS.ErrnoException): string {
  const text = err.code ? `${err.code}: ${err.message}` : err.message;
  return text.slice(0, 200);
}
