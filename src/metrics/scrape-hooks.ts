import { Injectable, Logger } from '@nestjs/common';

type Hook = () => void | Promise<void>;

/** Work to do right before each scrape: gauges that are read, not counted (sockets, queue depths). */
@Injectable()
export class ScrapeHooks {
  private readonly logger = new Logger(ScrapeHooks.name);
  private readonly hooks: Hook[] = [];

  register(hook: Hook): void {
    this.hooks.push(hook);
  }

  async run(): Promise<void> {
    const results = await Promise.allSettled(this.hooks.map(async (hook) => hook()));
    for (const r of results) {
      if (r.status === 'rejected')
        this.logger.warn(`A metrics refresh failed: ${String(r.reason)}`);
    }
  }
}
