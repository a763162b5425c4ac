import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  /** The raw body, as signed. */
  raw: string;
  body: any;
  at: number;
}

/** What the receiver does with a request: answer with a status, or never answer. */
export type Behaviour = (
  req: Received,
  index: number,
) => { status: number; text?: string } | 'hang';

/**
 * A real HTTP receiver on loopback that records every request (in arrival order) and answers
 * as its behaviour says (200 by default).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = () => ({ status: 200, text: 'ok' });
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly hanging = new Set<http.ServerResponse>();

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The requests about one session, in arrival order. */
  of(sessionId: string): Received[] {
    return this.received.filter((r) => r.body?.session_id === sessionId);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      const entry: Received = { headers: req.headers, raw, body, at: Date.now() };
      const index = this.received.push(entry) - 1;
      const answer = this.behaviour(entry, index);
      if (answer === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text ?? '');
    });
  }
}
