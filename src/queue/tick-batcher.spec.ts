import { TickBatcher } from './tick-batcher';

describe('TickBatcher', () => {
  it('sends what is added in one turn of the event loop together', async () => {
    const sent: number[][] = [];
    const batcher = new TickBatcher<number>((items) => {
      sent.push(items);
      return Promise.resolve();
    });
    await Promise.all([batcher.add([1]), batcher.add([2, 3]), batcher.add([4])]);
    await batcher.add([5]);
    expect(sent).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('rejects every caller of a batch that failed, and goes on with the next', async () => {
    let fail = true;
    const batcher = new TickBatcher<number>(() =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve(),
    );
    const results = await Promise.allSettled([batcher.add([1]), batcher.add([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.add([3])).resolves.toBeUndefined();
  });
});
