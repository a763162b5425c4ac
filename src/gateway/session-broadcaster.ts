import { Injectable } from '@nestjs/common';
import { Server } from 'socket.io';
import { LowTimeWarning, SessionChange, SessionDeletion } from '../state/session-change';
import { broadcastChange, broadcastDeletion, broadcastLowTime } from './session-broadcast';
import { ServerToClientEvents } from './socket-events';

type AnyServer = Server<Record<string, never>, ServerToClientEvents>;

/**
 * The push of the commit pipeline: publishes through the process' Socket.IO server, the
 * gateway's on an API instance, a headless one on a worker (HeadlessBroadcaster). Before a
 * server is there (and after it closed), nothing is published.
 */
@Injectable()
export class SessionBroadcaster {
  private server: AnyServer | null = null;

  /** Set by whoever owns the server, once it is up; null once it is gone. */
  publishThrough(server: AnyServer | null): void {
    this.server = server;
  }

  change(change: SessionChange): void {
    if (this.server) broadcastChange(this.server, change);
  }

  deletion(deletion: SessionDeletion): void {
    if (this.server) broadcastDeletion(this.server, deletion);
  }

  lowTime(warning: LowTimeWarning): void {
    if (this.server) broadcastLowTime(this.server, warning);
  }
}
