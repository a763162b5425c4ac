import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidationError,
  validateSync,
} from 'class-validator';
import { webhookProblems } from './webhook-env';

/** Reads the raw variable: implicit conversion would turn the string 'false' into true. */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  const text = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return raw;
};

/**
 * Every variable the service reads, with its default. `.env.example` lists the same ones.
 * In production REDIS_URL and DATABASE_URL have no default: a deployment must name them.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Seeds of a Redis Cluster (`host:port,host:port`); when set, REDIS_URL is ignored. */
  @Matches(/^$|^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_CLUSTER_NODES must be comma-separated host:port seeds',
  })
  REDIS_CLUSTER_NODES: string = '';

  /** Sentinels (`host:port,host:port`) that name the primary; REDIS_URL then gives only its auth, db, TLS. */
  @Matches(/^$|^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_SENTINELS must be comma-separated host:port addresses',
  })
  REDIS_SENTINELS: string = '';

  /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> ...`). */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'REDIS_SENTINEL_NAME must be 1-64 of [A-Za-z0-9_.-]',
  })
  REDIS_SENTINEL_NAME: string = 'mymaster';

  @Matches(/^[A-Za-z0-9_.-]{1,32}$/, {
    message: 'REDIS_KEY_PREFIX must be 1-32 characters of [A-Za-z0-9_.-]',
  })
  REDIS_KEY_PREFIX: string = 'sk';

  @IsInt()
  @Min(50)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS: number = 1000;

  /**
   * Replicas that must hold a write before it is acknowledged (Redis WAIT); `auto`: 1 on a
   * Cluster or Sentinel, 0 on a standalone Redis.
   */
  @Matches(/^(auto|[0-5])$/, { message: 'REDIS_WAIT_REPLICAS must be auto or 0-5' })
  REDIS_WAIT_REPLICAS: string = 'auto';

  /** How long a write waits for its replicas before answering 503 OUTCOME_UNKNOWN. */
  @IsInt()
  @Min(10)
  @Max(5000)
  REDIS_WAIT_TIMEOUT_MS: number = 100;

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/synckairos';

  /** Apply pending migrations when the service first connects (off when a release job does). */
  @IsBoolean()
  @Transform(toBoolean)
  DB_MIGRATIONS_RUN: boolean = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsInt()
  @Min(1)
  @Max(30 * 86_400)
  SESSION_RETENTION_S: number = 3600;

  @IsInt()
  @Min(60)
  @Max(365 * 86_400)
  SESSION_IDLE_TTL_S: number = 7 * 86_400;

  /** Recently used sessions this instance remembers as a guess for commands (0: none). */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SESSION_CACHE_SIZE: number = 5000;

  @IsOptional()
  @IsBoolean()
  @Transform(toBoolean)
  TRUST_PROXY: boolean = false;

  @IsBoolean()
  @Transform(toBoolean)
  AUDIT_ENABLED: boolean = true;

  @IsBoolean()
  @Transform(toBoolean)
  AUDIT_WORKER: boolean = true;

  @IsInt()
  @Min(1)
  @Max(1000)
  AUDIT_CONCURRENCY: number = 100;

  /**
   * Past this many bytes of audit backlog in Redis (PostgreSQL away), client commands answer
   * 503 BACKLOG_FULL. 0: no cap.
   */
  @IsInt()
  @Min(0)
  AUDIT_BACKLOG_MAX_BYTES: number = 512 * 1024 * 1024;

  /** An outbox entry still unwritten this long after its commit is relayed (its writer died). */
  @IsInt()
  @Min(500)
  @Max(600_000)
  OUTBOX_STALE_MS: number = 5000;

  /** How often each audit consumer looks for stale outbox entries. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  OUTBOX_RELAY_INTERVAL_MS: number = 1000;

  @IsInt()
  @Min(1)
  @Max(1000)
  AUDIT_BATCH_MAX: number = 200;

  @IsInt()
  @Min(0)
  @Max(1000)
  AUDIT_BATCH_LINGER_MS: number = 10;

  /** How often each audit worker puts failed (but writable) audit jobs back in the queue. */
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  AUDIT_REAPER_INTERVAL_MS: number = 30_000;

  @IsInt()
  @Min(50)
  @Max(30_000)
  ARCHIVE_TIMEOUT_MS: number = 1000;

  @IsBoolean()
  @Transform(toBoolean)
  DEADLINE_WORKER: boolean = true;

  /** The durable entry fires this long after the instant, behind the arming instance's timer. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  DEADLINE_BACKSTOP_GRACE_MS: number = 250;

  @IsInt()
  @Min(1)
  @Max(1000)
  DEADLINE_CONCURRENCY: number = 50;

  /** How often each process with DEADLINE_WORKER looks for durable deadlines that came due. */
  @IsInt()
  @Min(10)
  @Max(10_000)
  DEADLINE_POLL_MS: number = 200;

  @IsIn(['classic', 'sharded'])
  SOCKET_ADAPTER: 'classic' | 'sharded' = 'classic';

  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  SOCKET_MAX_PAYLOAD_BYTES: number = 16 * 1024;

  @IsInt()
  @Min(1)
  @Max(10_000)
  SOCKET_MAX_JOINS_PER_10S: number = 30;

  @IsInt()
  @Min(1)
  @Max(10_000)
  SOCKET_MAX_ROOMS: number = 100;

  /** Commands (session:switch) one socket may send per second. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  SOCKET_MAX_COMMANDS_PER_S: number = 100;

  @IsInt()
  @Min(1000)
  @Max(300_000)
  SOCKET_PING_INTERVAL_MS: number = 10_000;

  @IsInt()
  @Min(1000)
  @Max(300_000)
  SOCKET_PING_TIMEOUT_MS: number = 5000;

  /** none (development only), apikey, or jwt. Production needs it written out (none included). */
  @IsIn(['none', 'apikey', 'jwt'])
  AUTH_MODE: 'none' | 'apikey' | 'jwt' = 'none';

  /** AUTH_MODE=apikey: comma-separated keys, each at least 16 characters. */
  @IsString()
  API_KEYS: string = '';

  /** AUTH_MODE=jwt with HS256: the shared secret. */
  @IsString()
  JWT_SECRET: string = '';

  /** AUTH_MODE=jwt with RS256: the PEM public key (literal \n are read as newlines). */
  @IsString()
  JWT_PUBLIC_KEY: string = '';

  @IsString()
  JWT_ISSUER: string = '';

  @IsString()
  JWT_AUDIENCE: string = '';

  /** The queue dashboard (/admin/queues): basic-auth user and password (no password: closed). */
  @IsString()
  ADMIN_USER: string = 'admin';

  @IsString()
  ADMIN_PASSWORD: string = '';

  @IsBoolean()
  @Transform(toBoolean)
  RATE_LIMIT_ENABLED: boolean = true;

  /** Requests one client may make per window, all routes together. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_CLIENT: number = 50_000;

  @IsInt()
  @Min(100)
  @Max(3_600_000)
  RATE_LIMIT_WINDOW_MS: number = 10_000;

  /** Switches one session may take per second, whoever sends them. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_SWITCH_PER_SESSION: number = 5000;

  /** After SIGTERM: how long in-flight work may take before the process exits anyway. */
  @IsInt()
  @Min(1000)
  @Max(300_000)
  SHUTDOWN_TIMEOUT_MS: number = 15_000;

  /**
   * After SIGTERM, readiness answers 503 this long before the instance stops accepting, so
   * that the load balancer stops sending first. Default 5,000 in production, 0 otherwise.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_DRAIN_MS: number = 0;

  /** The worker process (no HTTP) shows it is alive and ready by touching files here. */
  @IsString()
  WORKER_HEARTBEAT_DIR: string = '/tmp';

  /** Comma-separated origins allowed by CORS (REST and sockets), or * for any. */
  @IsString()
  CORS_ORIGINS: string = '*';

  // --- Hostile input and access (issue 14)

  /** An events page stops at about this many bytes of JSON (at least one event). */
  @IsInt()
  @Min(16 * 1024)
  @Max(64 * 1024 * 1024)
  EVENTS_PAGE_MAX_BYTES: number = 1024 * 1024;

  /** The session cache forgets its least recently used sessions past this estimate (0: none). */
  @IsInt()
  @Min(0)
  @Max(16 * 1024 * 1024 * 1024)
  SESSION_CACHE_MAX_BYTES: number = 64 * 1024 * 1024;

  /** Events of any kind one socket may send per second; far beyond, the socket is dropped. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  SOCKET_MAX_EVENTS_PER_S: number = 200;

  /** time:sync requests one socket may send per second. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  SOCKET_MAX_SYNCS_PER_S: number = 20;

  /** Failed authentications one address may make per window before it is refused (429). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  AUTH_FAILURES_PER_WINDOW: number = 100;

  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  AUTH_FAILURE_WINDOW_MS: number = 10_000;

  /** /metrics, /health/details, /api-docs and /admin/queues on this port only (0: on PORT). */
  @IsInt()
  @Min(0)
  @Max(65535)
  INTERNAL_PORT: number = 0;

  // --- Time from one source (issue 15): every instance corrects its clock to Redis' TIME.

  /** The most this instance's clock may be off Redis' before it refuses commands (503). */
  @IsInt()
  @Min(1)
  @Max(60_000)
  MAX_CLOCK_SKEW_MS: number = 100;

  /** How often the offset to Redis' clock is measured again. */
  @IsInt()
  @Min(1000)
  @Max(300_000)
  CLOCK_SYNC_INTERVAL_MS: number = 15_000;

  /** false: serve the host's own clock, refused when it is off Redis by over MAX_CLOCK_SKEW_MS. */
  @IsBoolean()
  @Transform(toBoolean)
  CLOCK_CORRECTION: boolean = true;

  /** Tests only (NODE_ENV=test): this instance's host clock reads this far ahead. */
  @IsInt()
  @Min(-86_400_000)
  @Max(86_400_000)
  TEST_CLOCK_OFFSET_MS: number = 0;

  // --- Webhooks (contract section 9); checked together by webhookProblems.
  /** The webhook of every session that has none of its own ('' none). */
  @IsString()
  WEBHOOK_URL: string = '';

  /** Comma-separated event types the default webhook is sent ('' every type). */
  @IsString()
  WEBHOOK_EVENTS: string = '';

  /** Signs every delivery; required for any webhook. */
  @IsString()
  WEBHOOK_SECRET: string = '';

  /** Comma-separated host names or addresses a webhook may reach over http or privately. */
  @IsString()
  WEBHOOK_ALLOWED_HOSTS: string = '';

  /** The first retry of a failed delivery waits this long; each next one twice as long. */
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  WEBHOOK_RETRY_BASE_MS: number = 1000;

  @IsBoolean()
  @Transform(toBoolean)
  WEBHOOK_WORKER: boolean = true;

  /** Sessions one worker delivers to at once. */
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY: number = 50;
}

export type Env = EnvironmentVariables;

/** No default in production: a deployment must write them out (AUTH_MODE=none included). */
const REQUIRED_IN_PRODUCTION = ['REDIS_URL', 'DATABASE_URL', 'AUTH_MODE'] as const;

function describe(errors: ValidationError[]): string[] {
  return errors.map((e) => {
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}=${JSON.stringify(e.value)}: ${reasons}`;
  });
}

function authProblems(env: EnvironmentVariables): string[] {
  if (env.AUTH_MODE === 'apikey') {
    const keys = env.API_KEYS.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (keys.length === 0) return ['API_KEYS is required with AUTH_MODE=apikey'];
    if (keys.some((k) => k.length < 16))
      return ['API_KEYS: every key must be at least 16 characters'];
  }
  if (env.AUTH_MODE === 'jwt' && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY) {
    return ['JWT_SECRET or JWT_PUBLIC_KEY is required with AUTH_MODE=jwt'];
  }
  if (env.AUTH_MODE === 'jwt' && env.JWT_SECRET && env.JWT_SECRET.length < 32) {
    return ['JWT_SECRET must be at least 32 characters'];
  }
  return [];
}

/** Defaults that depend on NODE_ENV; SHUTDOWN_DRAIN_DELAY_MS is the old name of SHUTDOWN_DRAIN_MS. */
function withDefaultsOfMode(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.SHUTDOWN_DRAIN_MS !== undefined && raw.SHUTDOWN_DRAIN_MS !== '') return raw;
  const legacy = raw.SHUTDOWN_DRAIN_DELAY_MS;
  if (legacy !== undefined && legacy !== '') return { ...raw, SHUTDOWN_DRAIN_MS: legacy };
  if (raw.NODE_ENV === 'production') return { ...raw, SHUTDOWN_DRAIN_MS: 5000 };
  return raw;
}

/** Validates and types the environment; throws a message naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  raw = withDefaultsOfMode(raw);
  const env = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: true });
  const problems = describe(validateSync(env, { skipMissingProperties: false }));
  problems.push(...authProblems(env));
  problems.push(...webhookProblems(env));
  if (env.NODE_ENV === 'production') {
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (name === 'REDIS_URL' && (env.REDIS_CLUSTER_NODES || env.REDIS_SENTINELS)) continue;
      if (raw[name] === undefined || raw[name] === '')
        problems.push(`${name} is required in production`);
    }
  }
  if (env.TEST_CLOCK_OFFSET_MS !== 0 && env.NODE_ENV !== 'test')
    problems.push('TEST_CLOCK_OFFSET_MS is a test fault hook: only with NODE_ENV=test');
  if (env.REDIS_WAIT_TIMEOUT_MS >= env.REDIS_COMMAND_TIMEOUT_MS)
    // WAIT holds its connection: a longer wait would time out every command queued behind it.
    problems.push('REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS');
  if (env.INTERNAL_PORT !== 0 && env.INTERNAL_PORT === env.PORT)
    problems.push('INTERNAL_PORT must differ from PORT');
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
