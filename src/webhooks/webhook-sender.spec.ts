import http from 'node:http';
import { AddressInfo } from 'node:net';
import { CheckedAddress, CheckedTarget } from './ssrf-guard';
import { EXCERPT_BYTES, WebhookSender } from './webhook-sender';

/** A loopback server that answers as `handler` says and records what it got. */
async function server(handler: http.RequestListener) {
  const seen: { headers: http.IncomingHttpHeaders; url: string; body: string }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        headers: req.headers,
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString(),
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  const close = () => {
    srv.closeAllConnections();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  };
  return { port, seen, close };
}

/** A target whose name resolves nowhere: only the fixed addresses can be reached. */
const target = (
  port: number,
  addresses: CheckedAddress[] = [{ address: '127.0.0.1', family: 4 }],
): CheckedTarget => ({
  url: new URL(`http://hook.invalid:${port}/in?x=1`),
  host: 'hook.invalid',
  addresses,
});

describe('WebhookSender', () => {
  const sender = new WebhookSender();

  it('posts the body and headers to the checked address, never resolving the name again', async () => {
    const srv = await server((_req, res) => res.writeHead(204).end());
    try {
      const result = await sender.post(
        target(srv.port),
        '{"a":1}',
        { 'Idempotency-Key': 'k' },
        2000,
      );
      expect(result).toMatchObject({ ok: true, status: 204, excerpt: null, error: null });
      expect(srv.seen).toHaveLength(1);
      expect(srv.seen[0]).toMatchObject({ url: '/in?x=1', body: '{"a":1}' });
      expect(srv.seen[0].headers).toMatchObject({
        host: `hook.invalid:${srv.port}`,
        'idempotency-key': 'k',
        'content-length': '7',
      });
    } finally {
      await srv.close();
    }
  });

  it('keeps only the first bytes of a long answer, and takes a non-2xx as a failure', async () => {
    const srv = await server((_req, res) => res.writeHead(500).end('x'.repeat(1_000_000)));
    try {
      const result = await sender.post(target(srv.port), '{}', {}, 2000);
      expect(result.ok).toBe(false);
      expect(result.status).toBe(500);
      expect(result.excerpt).toBe('x'.repeat(EXCERPT_BYTES));
    } finally {
      await srv.close();
    }
  });

  it('keeps no control characters of an answer', async () => {
    const srv = await server((_req, res) => res.writeHead(200).end('a\u0000b\tc\u001bd'));
    try {
      const result = await sender.post(target(srv.port), '{}', {}, 2000);
      expect(result.excerpt).toBe('ab\tcd');
    } finally {
      await srv.close();
    }
  });

  it('does not follow a redirect', async () => {
    const srv = await server((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    try {
      const result = await sender.post(target(srv.port), '{}', {}, 2000);
      expect(result).toMatchObject({ ok: false, status: 302 });
      expect(srv.seen.map((s) => s.url)).toEqual(['/in?x=1']);
    } finally {
      await srv.close();
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const srv = await server(() => undefined);
    try {
      const result = await sender.post(target(srv.port), '{}', {}, 300);
      expect(result).toMatchObject({ ok: false, status: null, error: 'no answer within 300 ms' });
      expect(result.durationMs).toBeGreaterThanOrEqual(290);
    } finally {
      await srv.close();
    }
  });

  it('takes the status of an answer whose body does not end in time', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    try {
      const result = await sender.post(target(srv.port), '{}', {}, 300);
      expect(result).toMatchObject({ ok: true, status: 200, excerpt: 'partial', error: null });
    } finally {
      await srv.close();
    }
  });

  it('reports a refused connection, and tries the next checked address', async () => {
    const srv = await server((_req, res) => res.writeHead(200).end('fine'));
    await srv.close();
    const refused = await sender.post(target(srv.port), '{}', {}, 2000);
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toContain('ECONNREFUSED');

    const up = await server((_req, res) => res.writeHead(200).end('fine'));
    try {
      // Nothing listens on ::1 at that port: the connection moves on to 127.0.0.1.
      const both = [
        { address: '::1', family: 6 as const },
        { address: '127.0.0.1', family: 4 as const },
      ];
      await expect(sender.post(target(up.port, both), '{}', {}, 3000)).resolves.toMatchObject({
        ok: true,
        excerpt: 'fine',
      });
    } finally {
      await up.close();
    }
  });
});
