import { ExamplesObject } from '@nestjs/swagger';

/** OpenAPI `examples` of the start bodies (contract section 9). */
export const START_EXAMPLES: ExamplesObject = {
  now: { summary: 'Start now', value: {} },
  scheduled: {
    summary: 'Start at an announced instant (the clocks are anchored there)',
    value: { at_ms: 1795399200000 },
  },
};

export const BULK_START_EXAMPLES: ExamplesObject = {
  round: {
    summary: 'A round of a tournament, every clock started at the announced instant',
    value: { session_ids: ['round-3-board-1', 'round-3-board-2'], at_ms: 1795399200000 },
  },
  now: {
    summary: 'Start them all now, anchored at one instant',
    value: { session_ids: ['quiz-7-team-a', 'quiz-7-team-b'] },
  },
};
