import { Injectable } from '@nestjs/common';

/** Whether this instance has begun shutting down: readiness then answers 503 at once. */
@Injectable()
export class ShutdownState {
  private draining = false;

  begin(): void {
    this.draining = true;
  }

  get isShuttingDown(): boolean {
    return this.draining;
  }
}
