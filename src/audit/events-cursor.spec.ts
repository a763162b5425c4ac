import fc from 'fast-check';
import { DomainError } from '../common/errors/domain-error';
import { MAX_VERSION } from './dto/list-events.query.dto';
import { decodeEventsCursor, encodeEventsCursor, pageStart } from './events-cursor';

describe('events cursor', () => {
  it('round-trips every version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_VERSION }), (v) => {
        expect(decodeEventsCursor(encodeEventsCursor(v))).toBe(v);
      }),
    );
  });

  it('refuses anything it did not make with a 400 on the cursor', () => {
    for (const bad of [
      '',
      'x',
      encodeEventsCursor(1).slice(1),
      Buffer.from('v:-1').toString('base64url'),
      Buffer.from(`v:${MAX_VERSION + 1}`).toString('base64url'),
      Buffer.from('v:1e3').toString('base64url'),
    ]) {
      expect(() => decodeEventsCursor(bad)).toThrow(DomainError);
    }
  });

  it('starts a page at after_version or at the cursor, not both', () => {
    expect(pageStart({})).toBe(0);
    expect(pageStart({ after_version: 4 })).toBe(4);
    expect(pageStart({ cursor: encodeEventsCursor(9) })).toBe(9);
    expect(() => pageStart({ after_version: 1, cursor: encodeEventsCursor(9) })).toThrow(
      /not both/,
    );
  });
});
