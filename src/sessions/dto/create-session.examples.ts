import { ExamplesObject } from '@nestjs/swagger';

const pair = (white: Record<string, unknown> = {}, black: Record<string, unknown> = {}) => [
  { participant_id: 'white', ...white },
  { participant_id: 'black', ...black },
];

/** One request body per kind of clock and time control (OpenAPI `examples` of the create). */
export const CREATE_SESSION_EXAMPLES: ExamplesObject = {
  fischer: {
    summary: 'Chess, 5 min + 2 s (Fischer, no time control)',
    value: {
      session_id: 'blitz-1',
      sync_mode: 'per_participant',
      increment_ms: 2000,
      participants: pair({ total_time_ms: 300_000 }, { total_time_ms: 300_000 }),
    },
  },
  fide_classical: {
    summary: 'FIDE classical: 90 min for 40 moves, then 30 min, +30 s from move 1',
    value: {
      session_id: 'fide-1',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: {
        stages: [
          { time_ms: 5_400_000, increment_ms: 30_000, moves: 40 },
          { time_ms: 1_800_000, increment_ms: 30_000 },
        ],
      },
    },
  },
  us_simple_delay: {
    summary: 'US Chess: G/90 with a 5 s simple delay',
    value: {
      session_id: 'us-1',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: { stages: [{ time_ms: 5_400_000, delay_ms: 5000 }], delay_kind: 'simple' },
    },
  },
  bronstein: {
    summary: 'Bronstein delay (DGT clocks): 25 min, 10 s delay',
    value: {
      session_id: 'dgt-1',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: { stages: [{ time_ms: 1_500_000, delay_ms: 10_000 }], delay_kind: 'bronstein' },
    },
  },
  capped_fischer: {
    summary: 'Go: 10 min + 20 s Fischer, never above 10 min',
    value: {
      session_id: 'go-fischer-1',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: {
        stages: [{ time_ms: 600_000, increment_ms: 20_000 }],
        increment_cap_ms: 600_000,
      },
    },
  },
  japanese_byoyomi: {
    summary: 'Go: 1 h, then Japanese byo-yomi 5 × 30 s',
    value: {
      session_id: 'go-1',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: {
        stages: [{ time_ms: 3_600_000 }],
        byoyomi: { kind: 'japanese', periods: 5, period_ms: 30_000 },
      },
    },
  },
  canadian_byoyomi: {
    summary: 'Go: 30 min, then Canadian byo-yomi, 25 stones in 5 min',
    value: {
      session_id: 'go-2',
      sync_mode: 'per_participant',
      participants: pair(),
      time_control: {
        stages: [{ time_ms: 1_800_000 }],
        byoyomi: { kind: 'canadian', moves: 25, period_ms: 300_000 },
      },
    },
  },
  armageddon: {
    summary: 'Armageddon (time odds): white 5 min, black 4 min, +2 s from move 61',
    value: {
      session_id: 'armageddon-1',
      sync_mode: 'per_participant',
      participants: pair(
        {
          time_control: {
            stages: [
              { time_ms: 300_000, moves: 60 },
              { time_ms: 0, increment_ms: 2000 },
            ],
          },
        },
        {
          time_control: {
            stages: [
              { time_ms: 240_000, moves: 60 },
              { time_ms: 0, increment_ms: 2000 },
            ],
          },
        },
      ),
    },
  },
  turn_timer: {
    summary: 'Poker table: 30 s turns; 2 idle rounds (every turn timed out, twice) end it',
    value: {
      session_id: 'table-7',
      sync_mode: 'per_cycle',
      time_per_cycle_ms: 30_000,
      max_idle_rounds: 2,
      participants: [
        { participant_id: 'seat-1' },
        { participant_id: 'seat-2' },
        { participant_id: 'seat-3' },
      ],
    },
  },
  countdown: {
    summary: 'Exam: one 2 h countdown for everybody, a warning 10 min before the end',
    value: {
      session_id: 'exam-1',
      sync_mode: 'global',
      total_time_ms: 7_200_000,
      low_time_ms: 600_000,
      participants: [{ participant_id: 'room-a' }],
    },
  },
};
