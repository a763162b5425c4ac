/** How a failed audit write should be handled. */
export type FailureKind = 'outage' | 'bad-data' | 'retry';

const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
const OUTAGE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const OUTAGE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|Connection is not established|server closed the connection|the database system is (starting up|shutting down)/i;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
}

/**
 * An outage (PostgreSQL unreachable, restarting, out of connections) is waited out without
 * spending attempts; data that breaks a constraint or a type (SQLSTATE classes 22 and 23)
 * never gets better and fails at once; anything else is retried with backoff.
 */
export function classifyFailure(err: unknown): FailureKind {
  const e = (err ?? {}) as ErrorLike;
  const driver = (e.driverError ?? e) as ErrorLike;
  const code =
    typeof driver.code === 'string' ? driver.code : typeof e.code === 'string' ? e.code : '';
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const message = `${text(e.message)} ${text(driver.message)}`;
  if (OUTAGE_CODES.has(code) || OUTAGE_SQLSTATES.has(code) || code.startsWith('08'))
    return 'outage';
  if (OUTAGE_MESSAGES.test(message)) return 'outage';
  if (/^(22|23)/.test(code)) return 'bad-data';
  return 'retry';
}
