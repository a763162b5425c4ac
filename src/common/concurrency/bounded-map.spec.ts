import { mapBounded } from './bounded-map';

describe('mapBounded', () => {
  it('keeps the order of the results, whatever order the calls end in', async () => {
    const out = await mapBounded([30, 10, 20, 0], 2, async (ms, i) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:10', '2:20', '3:0']);
  });

  it('never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapBounded(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    );
    expect(most).toBe(7);
  });

  it('maps nothing to nothing', async () => {
    await expect(mapBounded([], 4, () => Promise.resolve(1))).resolves.toEqual([]);
  });
});
