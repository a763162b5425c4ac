import { monotonicClock } from './monotonic-clock';

describe('monotonicClock', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads like the wall clock, but a step of the system clock does not move it', () => {
    let mono = 5_000;
    jest.spyOn(performance, 'now').mockImplementation(() => mono);
    const wall = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
    const clock = monotonicClock();
    expect(clock.now()).toBe(1_800_000_000_000);
    wall.mockReturnValue(1_800_000_000_000 - 3_600_000); // NTP steps the clock an hour back
    mono += 250;
    expect(clock.now()).toBe(1_800_000_000_250);
  });
});
