import fc from 'fast-check';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the first delay and never waits more than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 60 }),
        (initial, cap, draws) => {
          let i = 0;
          const b = new Backoff(initial, cap, () => draws[i++ % Math.max(1, draws.length)] ?? 0.5);
          for (let n = 0; n < draws.length; n++) {
            const ceiling = Math.min(cap, initial * 2 ** n);
            const d = b.next();
            expect(d).toBeGreaterThanOrEqual(ceiling / 2);
            expect(d).toBeLessThanOrEqual(ceiling);
          }
        },
      ),
    );
  });

  it('starts over after a reset', () => {
    const b = new Backoff(250, 5000, () => 1);
    expect([b.next(), b.next(), b.next()]).toEqual([250, 500, 1000]);
    for (let i = 0; i < 40; i++) b.next();
    expect(b.next()).toBe(5000);
    b.reset();
    expect(b.next()).toBe(250);
  });
});
