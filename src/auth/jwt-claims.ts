import { DomainError } from '../common/errors/domain-error';
import { SESSION_ID_PATTERN } from '../common/pipes/session-id.pipe';

/** The claims of a SyncKairos JWT, checked by type. */
export interface SessionClaims {
  sub?: string;
  /** The session ids the token may act on (absent: all). */
  sessions?: string[];
  /** A player's token: the one participant it plays. */
  participant_id?: string;
  /** Expiry, epoch seconds. */
  exp?: number;
}

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumericDate: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isId: Check = (v) => typeof v === 'string' && SESSION_ID_PATTERN.test(v);
const isStrings: Check = (v) => Array.isArray(v) && v.every(isString);

/** Every claim the service reads or the JWT rules define, with the type it must have. */
const CLAIMS: Record<string, { check: Check; expected: string }> = {
  sub: { check: isString, expected: 'a string' },
  iss: { check: isString, expected: 'a string' },
  jti: { check: isString, expected: 'a string' },
  aud: { check: (v) => isString(v) || isStrings(v), expected: 'a string or strings' },
  exp: { check: isNumericDate, expected: 'a number' },
  nbf: { check: isNumericDate, expected: 'a number' },
  iat: { check: isNumericDate, expected: 'a number' },
  sessions: { check: (v) => isString(v) || isStrings(v), expected: 'a session id or session ids' },
  participant_id: { check: isId, expected: 'an id of 1-64 characters of [A-Za-z0-9_-]' },
};

/**
 * The verified payload as claims, or 401 naming the first claim of the wrong type: a claim that
 * is not what it should be never widens (or narrows) what the token grants.
 */
export function toSessionClaims(payload: unknown): SessionClaims {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new DomainError('UNAUTHORIZED', 'the token payload must be a JSON object');
  const claims = payload as Record<string, unknown>;
  for (const [name, { check, expected }] of Object.entries(CLAIMS)) {
    if (Object.hasOwn(claims, name) && !check(claims[name]))
      throw new DomainError('UNAUTHORIZED', `the token's ${name} claim must be ${expected}`);
  }
  const sessions = claims.sessions as string | string[] | undefined;
  return {
    ...(claims.sub !== undefined && { sub: claims.sub as string }),
    ...(sessions !== undefined && { sessions: [sessions].flat() }),
    ...(claims.participant_id !== undefined && {
      participant_id: claims.participant_id as string,
    }),
    ...(claims.exp !== undefined && { exp: claims.exp as number }),
  };
}
