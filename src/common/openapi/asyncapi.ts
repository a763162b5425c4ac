import type { OpenAPIObject } from '@nestjs/swagger';
import { SERVER_VERSION } from '../../time/time.controller';
import { asJsonSchemas } from './json-schema';

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  properties,
  required,
});
const id = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const epochMs = { type: 'integer', format: 'int64' };
const failed = object({ error: ref('ErrorDto') }, ['error']);

/** The payloads of contract section 5, beside the state schemas of the OpenAPI document. */
const PAYLOADS: Record<string, Schema> = {
  SessionStatePayload: object(
    {
      session_id: id,
      version: { type: 'integer' },
      server_time_ms: epochMs,
      state: ref('SessionStateDto'),
    },
    ['session_id', 'version', 'server_time_ms', 'state'],
  ),
  SessionTimeoutPayload: object(
    {
      session_id: id,
      kind: { type: 'string', enum: ['participant', 'group', 'cycle', 'session'] },
      participant_id: id,
      group_id: id,
      at_ms: { ...epochMs, description: 'The exact instant the clock reached zero' },
      version: { type: 'integer', description: 'The version that recorded it' },
    },
    ['session_id', 'kind', 'at_ms', 'version'],
  ),
  SessionLowTimePayload: object(
    {
      session_id: id,
      participant_id: { ...id, description: 'Whose clock (absent for the session clock)' },
      group_id: { ...id, description: 'per_group: the group whose bank it is' },
      remaining_ms: { type: 'integer', description: 'low_time_ms, or less when time was taken' },
      at_ms: { ...epochMs, description: 'The exact instant the clock reached low_time_ms' },
      version: { type: 'integer', description: 'The version that was current' },
    },
    ['session_id', 'remaining_ms', 'at_ms', 'version'],
  ),
  SessionDeletedPayload: object({ session_id: id, server_time_ms: epochMs }, [
    'session_id',
    'server_time_ms',
  ]),
  ServerShutdownPayload: object({ reconnect: { type: 'boolean', const: true } }, ['reconnect']),
  SessionRef: object({ session_id: id }, ['session_id']),
  TimeSyncAck: object({ server_time_ms: epochMs }, ['server_time_ms']),
  JoinAck: { oneOf: [object({ state: ref('SessionStateDto') }, ['state']), failed] },
  LeaveAck: { oneOf: [object({ ok: { type: 'boolean', const: true } }, ['ok']), failed] },
  SwitchRequest: object(
    {
      session_id: id,
      next_participant_id: id,
      expected_version: { type: 'integer', minimum: 1 },
      current_participant_id: id,
      idempotency_key: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.:-]{1,128}$',
        description: 'as the REST Idempotency-Key header: a repeat returns the first outcome',
      },
    },
    ['session_id'],
  ),
  SwitchAck: { oneOf: [object({ data: ref('SwitchStateDto') }, ['data']), failed] },
};

interface Event {
  key: string;
  name: string;
  summary: string;
  payload?: string;
}

const SERVER_EVENTS: Event[] = [
  {
    key: 'sessionState',
    name: 'session:state',
    payload: 'SessionStatePayload',
    summary:
      'The snapshot on join, then every change, in version order (drop a lower version than you hold)',
  },
  {
    key: 'sessionTimeout',
    name: 'session:timeout',
    payload: 'SessionTimeoutPayload',
    summary: 'A clock ran out, at its exact instant',
  },
  {
    key: 'sessionLowTime',
    name: 'session:low_time',
    payload: 'SessionLowTimePayload',
    summary:
      'The running clock reached low_time_ms, at its exact instant (once per turn; once per session for global and count_up)',
  },
  {
    key: 'sessionDeleted',
    name: 'session:deleted',
    payload: 'SessionDeletedPayload',
    summary: 'The session was deleted; the room is emptied',
  },
  {
    key: 'sessionError',
    name: 'session:error',
    payload: 'ErrorDto',
    summary: 'A join at connect (or a command without acknowledgement) failed',
  },
  {
    key: 'serverShutdown',
    name: 'server:shutdown',
    payload: 'ServerShutdownPayload',
    summary: 'This instance is stopping: reconnect, and join your sessions again',
  },
];

/** Client events, each answered by an acknowledgement (its reply). */
const CLIENT_EVENTS: (Event & { ack: string })[] = [
  {
    key: 'timeSync',
    name: 'time:sync',
    summary: 'Ask the server clock (no payload), for NTP-style offset estimation',
    ack: 'TimeSyncAck',
  },
  {
    key: 'sessionJoin',
    name: 'session:join',
    payload: 'SessionRef',
    summary: "Join a session's room; session:state follows at once",
    ack: 'JoinAck',
  },
  {
    key: 'sessionLeave',
    name: 'session:leave',
    payload: 'SessionRef',
    summary: "Leave a session's room",
    ack: 'LeaveAck',
  },
  {
    key: 'sessionSwitch',
    name: 'session:switch',
    payload: 'SwitchRequest',
    summary: 'End the active turn, as POST /v1/sessions/:id/switch',
    ack: 'SwitchAck',
  },
];

/**
 * The AsyncAPI 3 document of the Socket.IO events (/asyncapi.json), its state schemas taken
 * from the OpenAPI document so that the two never disagree.
 */
export function buildAsyncApi(openapi: OpenAPIObject, host: string, secure: boolean): Schema {
  const messages: Record<string, Schema> = {};
  for (const e of [...SERVER_EVENTS, ...CLIENT_EVENTS]) {
    messages[e.key] = {
      name: e.name,
      title: e.name,
      summary: e.summary,
      ...(e.payload && { payload: ref(e.payload) }),
    };
  }
  for (const e of CLIENT_EVENTS) {
    messages[`${e.key}Ack`] = {
      name: `${e.name} acknowledgement`,
      title: `${e.name} acknowledgement`,
      payload: ref(e.ack),
    };
  }
  const channel = { $ref: '#/channels/sessions' };
  const inChannel = (key: string) => ({ $ref: `#/channels/sessions/messages/${key}` });
  const operations: Record<string, Schema> = {};
  for (const e of SERVER_EVENTS) {
    operations[`receive${e.key[0].toUpperCase()}${e.key.slice(1)}`] = {
      action: 'receive',
      channel,
      summary: e.summary,
      messages: [inChannel(e.key)],
    };
  }
  for (const e of CLIENT_EVENTS) {
    operations[e.key] = {
      action: 'send',
      channel,
      summary: e.summary,
      messages: [inChannel(e.key)],
      reply: { channel, messages: [inChannel(`${e.key}Ack`)] },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SyncKairos Socket.IO events',
      version: SERVER_VERSION,
      description:
        'Socket.IO 4, default namespace, path /socket.io. Join at connect with query { sessionId } or ' +
        'auth { sessionId, token }, or later with session:join. Acknowledgements are the replies. ' +
        'The REST API is described at /api-docs.json.',
    },
    defaultContentType: 'application/json',
    servers: {
      service: {
        host,
        protocol: secure ? 'wss' : 'ws',
        pathname: '/socket.io',
        description: 'The service that serves this document',
      },
    },
    channels: {
      sessions: {
        address: '/',
        title: 'Default namespace',
        description: 'One room per session',
        messages: Object.fromEntries(
          Object.keys(messages).map((k) => [k, { $ref: `#/components/messages/${k}` }]),
        ),
      },
    },
    operations,
    components: { schemas: { ...asJsonSchemas(openapi), ...PAYLOADS }, messages },
  };
}
