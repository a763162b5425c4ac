import net from 'node:net';

/** One-way delay of a direction: `ms` ± `jitterMs` (uniform), never reordering bytes. */
export interface Delay {
  ms: number;
  jitterMs?: number;
}

export interface ProxyOptions {
  /** Client to service. */
  up?: Delay;
  /** Service to client. */
  down?: Delay;
}

/** Bytes held back while a proxy is paused, in arrival order. */
interface Gate {
  paused: boolean;
  held: (() => void)[];
}

/**
 * A TCP forwarder that a test can cut and restore, to play an outage of the service behind it
 * without touching the machine's real server, or pause and resume, to play a server that hangs;
 * it can also delay each direction (latency and jitter, bytes kept in order) and send new
 * connections to another instance.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly gate: Gate = { paused: false, held: [] };
  port = 0;

  constructor(
    private targetHost: string,
    private targetPort: number,
    private readonly options: ProxyOptions = {},
  ) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      const upHeld = forward(client, upstream, this.options.up, this.gate);
      const downHeld = forward(upstream, client, this.options.down, this.gate);
      // A side that closes has its last bytes delivered first, as a real network would.
      client.on('close', () => setTimeout(() => upstream.destroy(), upHeld()));
      upstream.on('close', () => setTimeout(() => client.destroy(), downHeld()));
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** New connections go to this target; the open ones stay where they are. */
  retarget(host: string, port: number): void {
    this.targetHost = host;
    this.targetPort = port;
  }

  /**
   * Holds every byte, both ways, on open and new connections alike (connections are still
   * accepted): the service hangs without dropping anything, as a frozen server does.
   */
  pause(): void {
    this.gate.paused = true;
  }

  /** Delivers what was held, in order, and forwards again. */
  resume(): void {
    this.gate.paused = false;
    for (const deliver of this.gate.held.splice(0)) deliver();
  }

  /** Drops every open connection, and keeps listening. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Drops every connection and stops listening: the service is "down". */
  async cut(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = null;
  }

  /** Listens again on the same port: the service is "back". */
  async restore(): Promise<void> {
    await this.start(this.port);
  }
}

/**
 * Pipes `from` into `to`, each chunk held for its delay (and while the gate is shut), in
 * order. Returns how long the chunks still delayed will take to be written.
 */
function forward(
  from: net.Socket,
  to: net.Socket,
  delay: Delay | undefined,
  gate: Gate,
): () => number {
  const through = (deliver: () => void) => (gate.paused ? gate.held.push(deliver) : deliver());
  if (delay === undefined || (delay.ms === 0 && !delay.jitterMs)) {
    from.on('data', (chunk: Buffer) =>
      through(() => {
        if (!to.destroyed && !to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      }),
    );
    from.on('end', () => through(() => to.end()));
    return () => 0;
  }
  let lastDue = 0;
  from.on('data', (chunk: Buffer) =>
    through(() => {
      const jitter = delay.jitterMs ? (Math.random() * 2 - 1) * delay.jitterMs : 0;
      const due = Math.max(lastDue, performance.now() + Math.max(0, delay.ms + jitter));
      lastDue = due;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - performance.now());
    }),
  );
  from.on('end', () =>
    through(() => setTimeout(() => to.end(), Math.max(0, lastDue - performance.now()))),
  );
  return () => Math.max(0, lastDue - performance.now());
}
