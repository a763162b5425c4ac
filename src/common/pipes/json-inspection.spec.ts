import fc from 'fast-check';
import { inspectJson, MAX_JSON_DEPTH, nestsDeeperThan } from './json-inspection';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('json inspection', () => {
  it.each([0, 1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])('depth %i is within the limit', (depth) => {
    const value = depth === 0 ? 'x' : nested(depth);
    expect(nestsDeeperThan(value)).toBe(false);
    expect(inspectJson(value).tooDeep).toBe(false);
  });

  it.each([MAX_JSON_DEPTH + 1, 2000, 100_000])(
    'depth %i is too deep, found without recursion',
    (depth) => {
      const value = nested(depth);
      expect(nestsDeeperThan(value)).toBe(true);
      expect(inspectJson(value).tooDeep).toBe(true);
    },
  );

  it('counts the depth of the deepest branch, objects and arrays alike', () => {
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: { c: 1 } }], d: 1 }, 3)).toBe(true);
  });

  it('agrees with a recursive count on any JSON value', () => {
    const depth = (v: unknown): number =>
      typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
        expect(nestsDeeperThan(value, max)).toBe(depth(value) > max);
      }),
    );
  });

  it('names every string and key PostgreSQL cannot store, by path', () => {
    const { unstorable } = inspectJson({
      ok: 'fine 😀',
      a: ['x', 'b\u0000'],
      n: { deep: { text: '\udc00' } },
      'k\u0000ey': 1,
    });
    expect(unstorable.map((f) => f.field).sort()).toEqual(['a.1', 'k\\u0000ey', 'n.deep.text']);
  });

  it('reports a bounded number of fields however many are bad', () => {
    const value = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, '\u0000']));
    expect(inspectJson(value).unstorable).toHaveLength(20);
  });
});
