/** One `TIME` round trip: the local clock when it was sent and answered, and Redis' reading. */
export interface ClockSample {
  sentAt: number;
  receivedAt: number;
  serverMs: number;
}

/** How far Redis' clock is ahead of the local one, give or take `errorMs`, as of `measuredAt`. */
export interface OffsetEstimate {
  offsetMs: number;
  errorMs: number;
  measuredAt: number;
  samples: number;
}

/** Redis answers `TIME` in whole microseconds: a reading may be up to this much behind. */
const SERVER_RESOLUTION_MS = 0.001;

/**
 * Redis read its clock somewhere between sending and answering, so each sample bounds the
 * offset to [serverMs - receivedAt, serverMs - sentAt]: width its round trip, middle
 * serverMs - (sentAt + receivedAt) / 2. The `keep` shortest round trips are the tightest
 * bounds (the others waited in a queue or an event loop); the offset lies in all of them, so
 * the estimate is the middle of their intersection and the error its half-width (at most the
 * shortest rtt / 2). Bounds that do not meet mean a clock jumped during the round: no estimate.
 */
export function estimateOffset(samples: ClockSample[], keep: number): OffsetEstimate | null {
  const valid = samples.filter((s) => s.receivedAt >= s.sentAt);
  if (valid.length === 0 || keep < 1) return null;
  const best = [...valid]
    .sort((a, b) => a.receivedAt - a.sentAt - (b.receivedAt - b.sentAt))
    .slice(0, keep);
  let low = -Infinity;
  let high = Infinity;
  for (const s of best) {
    low = Math.max(low, s.serverMs - s.receivedAt);
    high = Math.min(high, s.serverMs + SERVER_RESOLUTION_MS - s.sentAt);
  }
  if (low > high) return null;
  return {
    offsetMs: (low + high) / 2,
    errorMs: (high - low) / 2,
    measuredAt: Math.max(...best.map((s) => s.receivedAt)),
    samples: best.length,
  };
}
