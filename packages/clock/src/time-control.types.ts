/**
 * Tournament time controls (contract section 7): the shape a session or a participant carries,
 * and the byo-yomi balances a participant keeps between anchors.
 */
export const DELAY_KINDS = ['bronstein', 'simple'] as const;
export type DelayKind = (typeof DELAY_KINDS)[number];

export const BYOYOMI_KINDS = ['japanese', 'canadian'] as const;
export type ByoyomiKind = (typeof BYOYOMI_KINDS)[number];

export interface Stage {
  time_ms: number;
  increment_ms?: number;
  delay_ms?: number;
  /** Moves this stage covers; every stage but the last has them. */
  moves?: number;
}

export interface JapaneseByoyomi {
  kind: 'japanese';
  periods: number;
  period_ms: number;
}

export interface CanadianByoyomi {
  kind: 'canadian';
  moves: number;
  period_ms: number;
}

export type Byoyomi = JapaneseByoyomi | CanadianByoyomi;

export interface TimeControl {
  stages: Stage[];
  delay_kind?: DelayKind;
  increment_cap_ms?: number;
  byoyomi?: Byoyomi;
}

/**
 * A participant's byo-yomi as of the anchor. Japanese: `periods_left` as of the start of its
 * current (or next) turn, and `used_ms` the byo-yomi time this turn has spent. Canadian:
 * `moves_left` in the current period and `used_ms` of it (the period runs over several turns);
 * meaningful only while the bank is empty (a fresh period starts whenever it empties).
 */
export type ByoyomiClock =
  | { kind: 'japanese'; periods_left: number; used_ms: number }
  | { kind: 'canadian'; moves_left: number; used_ms: number };

/** What a participant in byo-yomi shows, live. */
export type ByoyomiView =
  | { periods_left: number; period_remaining_ms: number }
  | { moves_left: number; period_remaining_ms: number };

/** What a move was charged and given: the audit metadata of a switch. */
export interface MoveAccount {
  charged_ms: number;
  delay_refund_ms: number;
  increment_ms: number;
  stage_added_ms: number;
}
