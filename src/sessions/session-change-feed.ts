import { Injectable, Logger } from '@nestjs/common';
import {
  LowTimeWarning,
  SessionChange,
  SessionChangeListener,
  SessionDeletion,
} from '../state/session-change';

/**
 * Hands every committed change to the listeners that registered. The request waits for the
 * listeners' promises (the audit enqueue, the deadline), never for what they start in the
 * background (the socket fan-out).
 */
@Injectable()
export class SessionChangeFeed {
  private readonly logger = new Logger(SessionChangeFeed.name);
  private readonly listeners: SessionChangeListener[] = [];

  subscribe(listener: SessionChangeListener): void {
    this.listeners.push(listener);
  }

  async publish(change: SessionChange): Promise<void> {
    await this.settleAll(this.listeners.map((l) => l.onChange(change)));
  }

  async publishDeletion(deletion: SessionDeletion): Promise<void> {
    await this.settleAll(this.listeners.map((l) => l.onDelete?.(deletion)));
  }

  async publishLowTime(warning: LowTimeWarning): Promise<void> {
    await this.settleAll(this.listeners.map((l) => l.onLowTime?.(warning)));
  }

  private async settleAll(pending: (void | Promise<void>)[]): Promise<void> {
    const promises = pending.filter((p): p is Promise<void> => p instanceof Promise);
    if (promises.length === 0) return;
    for (const result of await Promise.allSettled(promises)) {
      if (result.status === 'rejected')
        this.logger.error(`A change listener failed: ${String(result.reason)}`);
    }
  }
}
