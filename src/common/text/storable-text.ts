/**
 * Text PostgreSQL can store: no NUL character, no UTF-16 surrogate without its pair (jsonb and
 * text refuse both). The edge refuses such text (BodyValidationPipe); the audit writer repairs
 * what still arrives (replacing it with U+FFFD) rather than lose the event.
 */
// NUL is exactly what this looks for.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

export function toStorableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\ufffd');
}

/**
 * A copy of a JSON value with every string and key made storable; the value itself when it
 * already was. Recursive: the values it is given were bounded in depth at the edge.
 */
export function toStorableJson(value: unknown): unknown {
  if (typeof value === 'string') return isStorableText(value) ? value : toStorableText(value);
  if (Array.isArray(value)) {
    const items = value.map(toStorableJson);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const k = isStorableText(key) ? key : toStorableText(key);
    const v = toStorableJson(item);
    if (k !== key || v !== item) changed = true;
    return [k, v] as const;
  });
  if (!changed) return value;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(copy, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}
