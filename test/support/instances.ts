import { INestApplication } from '@nestjs/common';
import { baseUrl, startApp } from './e2e-app';
import { TcpProxy, type ProxyOptions } from './tcp-proxy';

/** Instances of the service behind one proxy: what a client sees through a load balancer. */
export class ProxiedService {
  readonly instances: INestApplication[] = [];
  proxy!: TcpProxy;

  constructor(
    private readonly env: Record<string, string> = {},
    private readonly delays: ProxyOptions = {},
  ) {}

  async start(): Promise<this> {
    const app = await this.launch();
    const port = Number(new URL(baseUrl(app)).port);
    this.proxy = new TcpProxy('127.0.0.1', port, this.delays);
    await this.proxy.start();
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.proxy.port}`;
  }

  get current(): INestApplication {
    return this.instances[this.instances.length - 1];
  }

  /** A rolling deploy of one: a new instance takes the traffic, then the old one shuts down. */
  async replace(): Promise<void> {
    const old = this.current;
    const next = await this.launch();
    this.proxy.retarget('127.0.0.1', Number(new URL(baseUrl(next)).port));
    this.instances.splice(this.instances.indexOf(old), 1);
    await old.close();
  }

  async stop(): Promise<void> {
    await this.proxy?.cut();
    for (const app of this.instances.splice(0)) await app.close().catch(() => undefined);
  }

  private async launch(): Promise<INestApplication> {
    const app = await startApp({ SHUTDOWN_DRAIN_MS: '0', ...this.env });
    this.instances.push(app);
    return app;
  }
}
