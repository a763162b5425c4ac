import { FieldError } from '../errors/domain-error';
import { isStorableText } from '../text/storable-text';

/**
 * How deep a request body or socket payload may nest (objects and arrays; `{}` is 1). The
 * deepest body the contract has is 6 levels (a time control's stage); opaque metadata gets the
 * rest. Beyond this, class-transformer and JSON.stringify would recurse until the stack breaks.
 */
export const MAX_JSON_DEPTH = 32;

/** At most this many text errors are reported for one body: enough to fix it, bounded to send. */
const MAX_TEXT_ERRORS = 20;

/**
 * Whether a decoded value nests deeper than `max`, found without recursion (JSON.parse itself
 * does not recurse, but class-transformer and JSON.stringify do).
 */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface JsonInspection {
  tooDeep: boolean;
  /** Strings (values or keys) that cannot be stored, by dotted path. */
  unstorable: FieldError[];
}

/**
 * Walks a decoded value without recursion: its depth, and every string and key in it, so that a
 * value too deep to transform, or text PostgreSQL cannot hold, is refused before any other work.
 * The walk stops at the first level too deep.
 */
export function inspectJson(value: unknown, max = MAX_JSON_DEPTH): JsonInspection {
  const unstorable: FieldError[] = [];
  const note = (field: string, message: string) => {
    if (unstorable.length < MAX_TEXT_ERRORS) unstorable.push({ field, message });
  };
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: string; depth: number };
    const v = item.value;
    if (typeof v === 'string') {
      if (!isStorableText(v)) note(item.path || 'body', TEXT_MESSAGE);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (item.depth + 1 > max) return { tooDeep: true, unstorable };
    for (const key of Object.keys(v)) {
      const path = item.path ? `${item.path}.${printable(key)}` : printable(key);
      if (!isStorableText(key)) note(path, KEY_MESSAGE);
      stack.push({ value: (v as Record<string, unknown>)[key], path, depth: item.depth + 1 });
    }
  }
  return { tooDeep: false, unstorable };
}

export const TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';
const KEY_MESSAGE = 'the key must not contain NUL characters or unpaired surrogates';
export const DEPTH_MESSAGE = `must not nest deeper than ${MAX_JSON_DEPTH} levels`;

// Control characters and surrogates are exactly what it escapes.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\ud800-\udfff]/g;

/** A key as it can be shown in a field path: characters that cannot be printed are escaped. */
function printable(key: string): string {
  return key.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
