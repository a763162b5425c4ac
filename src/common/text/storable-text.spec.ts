import fc from 'fast-check';
import { isStorableText, toStorableJson, toStorableText } from './storable-text';

describe('storable text', () => {
  it.each([
    ['a\u0000b', false],
    ['\ud800', false],
    ['\udfff', false],
    ['x\ud800y', false],
    ['\udc00\ud800', false],
    ['😀', true],
    ['plain', true],
    ['', true],
  ])('%j storable: %s', (text, ok) => {
    expect(isStorableText(text)).toBe(ok);
  });

  it('replaces exactly what cannot be stored, and the result always can', () => {
    expect(toStorableText('a\u0000b\ud800😀')).toBe('a\ufffdb\ufffd😀');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const fixed = toStorableText(text);
        expect(isStorableText(fixed)).toBe(true);
        if (isStorableText(text)) expect(fixed).toBe(text);
      }),
    );
  });

  it('copies only what it changes, keys included, and never touches a prototype', () => {
    const clean = { a: [1, 'x'], b: { c: true } };
    expect(toStorableJson(clean)).toBe(clean);
    const dirty = JSON.parse('{"__proto__":{"k\\u0000":"v\\u0000"},"list":["ok","\\ud800"]}');
    const fixed = toStorableJson(dirty) as Record<string, unknown>;
    expect(Object.getPrototypeOf(fixed)).toBe(Object.prototype);
    expect(JSON.stringify(fixed)).toBe(
      '{"__proto__":{"k\ufffd":"v\ufffd"},"list":["ok","\ufffd"]}',
    );
    expect(({} as Record<string, unknown>)['k\ufffd']).toBeUndefined();
  });
});
