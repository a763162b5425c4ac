import { DomainError } from '../common/errors/domain-error';
import { MAX_VERSION } from './dto/list-events.query.dto';

const PREFIX = 'v:';

/**
 * The `next_cursor` of an events page: opaque to clients, so that what it holds may change; today
 * the version after which the next page starts (`after_version` does the same, and keeps working).
 */
export function encodeEventsCursor(afterVersion: number): string {
  return Buffer.from(`${PREFIX}${afterVersion}`).toString('base64url');
}

/** The version a cursor goes on after; a cursor this service did not make is a 400. */
export function decodeEventsCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const digits = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  const version = /^(0|[1-9][0-9]{0,9})$/.test(digits) ? Number(digits) : NaN;
  if (!(version <= MAX_VERSION)) throw DomainError.invalidField('cursor', 'is not a valid cursor');
  return version;
}

/** `after_version` or `cursor` (not both): where a page starts. */
export function pageStart(query: { after_version?: number; cursor?: string }): number {
  if (query.cursor === undefined) return query.after_version ?? 0;
  if (query.after_version !== undefined)
    throw DomainError.invalidField('cursor', 'give after_version or cursor, not both');
  return decodeEventsCursor(query.cursor);
}
