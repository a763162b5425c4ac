/** A local clock in epoch milliseconds that never jumps: what every offset is measured against. */
export interface LocalClock {
  now(): number;
}

/**
 * `performance.now()` anchored to the wall clock once, at creation: it reads like `Date.now()`
 * but an NTP step or a changed system clock does not move it.
 */
export function monotonicClock(): LocalClock {
  const perf = globalThis.performance;
  const anchorWall = Date.now();
  const anchorMono = perf.now();
  return { now: () => anchorWall + (perf.now() - anchorMono) };
}
