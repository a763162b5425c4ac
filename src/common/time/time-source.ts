import { Injectable } from '@nestjs/common';

/** The server's clock. The one place that reads it, so tests can move time by hand. */
@Injectable()
export class TimeSource {
  now(): number {
    return Date.now();
  }
}
