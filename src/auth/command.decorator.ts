import { SetMetadata } from '@nestjs/common';

/**
 * What a route or socket event does to a session, named once on its handler and read by the
 * REST guard and the gateway alike (CommandPolicy decides who may). Access is decided on the
 * handler Nest matched, never on the URL as written.
 */
export const SESSION_COMMANDS = [
  'create',
  'read',
  'read_events',
  'read_webhook_deliveries',
  'watch',
  'start',
  'switch',
  'pause',
  'resume',
  'complete',
  'cancel',
  'add_time',
  'delete',
] as const;
export type SessionCommand = (typeof SESSION_COMMANDS)[number];

export const COMMAND_KEY = 'synckairos:command';

/** The session command this handler runs: `@Command('switch')`. */
export const Command = (command: SessionCommand) => SetMetadata(COMMAND_KEY, command);
