import { ExamplesObject } from '@nestjs/swagger';

/** OpenAPI `examples` of the start bodies (contract section 9). */
export const START_EXAMPLES: ExamplesObject = {
  now: { summary: 'Start now', value: {} },
  scheduled: {
    summary: 'Start at an announced instant (the clocks are anchored there)',
    value: { at_ms: 1795399200000 },
  },
};
