import { FieldError } from './domain-error';
import { ByoyomiInput, StageInput, TimeControlInput } from './clock.types';
import { Byoyomi, Stage, TimeControl } from './time-control.types';

/** Limits of contract section 7 (the DTO checks each field's type and range on its own). */
export const TIME_CONTROL_LIMITS = {
  maxStages: 5,
  firstStageMinMs: 1000,
  timeMaxMs: 86_400_000,
  incrementMaxMs: 60_000,
  delayMaxMs: 60_000,
  stageMovesMax: 500,
  capMinMs: 1000,
  periodsMax: 50,
  canadianMovesMax: 100,
  periodMinMs: 1000,
  periodMaxMs: 3_600_000,
} as const;

const L = TIME_CONTROL_LIMITS;

const present = <T>(value: T | null | undefined): value is T =>
  value !== null && value !== undefined;

const isInt = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * The rules of section 7's table that tie a control's fields together, each error naming its
 * path under `at` (`time_control`, `participants.0.time_control`). Also the ranges again, so
 * that a control that did not come through the DTO cannot break the clock.
 */
export function timeControlErrors(control: TimeControlInput, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) =>
    errors.push({ field: `${at}.${field}`, message });
  const stages = control.stages;
  if (!Array.isArray(stages) || stages.length < 1 || stages.length > L.maxStages) {
    fail('stages', `must hold 1-${L.maxStages} stages`);
    return errors;
  }
  stages.forEach((stage, i) =>
    errors.push(...stageErrors(stage, i, stages.length, `${at}.stages`)),
  );
  const delayed = stages.some((s) => (s?.delay_ms ?? 0) > 0);
  if (delayed && !present(control.delay_kind)) {
    fail('delay_kind', 'is required when a stage has delay_ms above 0');
  } else if (!delayed && present(control.delay_kind)) {
    fail('delay_kind', 'is only allowed when some stage has delay_ms above 0');
  }
  if (
    present(control.increment_cap_ms) &&
    !isInt(control.increment_cap_ms, L.capMinMs, L.timeMaxMs)
  ) {
    fail('increment_cap_ms', `must be an integer from ${L.capMinMs} to ${L.timeMaxMs}`);
  }
  if (present(control.byoyomi))
    errors.push(...byoyomiErrors(control.byoyomi, stages, `${at}.byoyomi`));
  return errors;
}

function stageErrors(stage: StageInput, i: number, count: number, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) =>
    errors.push({ field: `${at}.${i}.${field}`, message });
  if (typeof stage !== 'object' || stage === null) {
    return [{ field: `${at}.${i}`, message: 'must be an object' }];
  }
  const minTime = i === 0 ? L.firstStageMinMs : 0;
  if (!isInt(stage.time_ms, minTime, L.timeMaxMs)) {
    fail(
      'time_ms',
      `must be an integer from ${minTime} to ${L.timeMaxMs}${i === 0 ? ' in the first stage' : ''}`,
    );
  }
  if (present(stage.increment_ms) && !isInt(stage.increment_ms, 0, L.incrementMaxMs)) {
    fail('increment_ms', `must be an integer from 0 to ${L.incrementMaxMs}`);
  }
  if (present(stage.delay_ms) && !isInt(stage.delay_ms, 0, L.delayMaxMs)) {
    fail('delay_ms', `must be an integer from 0 to ${L.delayMaxMs}`);
  }
  const last = i === count - 1;
  if (!last && !present(stage.moves)) fail('moves', 'is required on every stage but the last');
  if (last && present(stage.moves)) {
    fail('moves', 'must be absent on the last stage (it covers all the remaining moves)');
  } else if (present(stage.moves) && !isInt(stage.moves, 1, L.stageMovesMax)) {
    fail('moves', `must be an integer from 1 to ${L.stageMovesMax}`);
  }
  if ((stage.increment_ms ?? 0) > 0 && (stage.delay_ms ?? 0) > 0) {
    fail('delay_ms', 'a stage may not have both increment_ms and delay_ms above 0');
  }
  return errors;
}

function byoyomiErrors(byoyomi: ByoyomiInput, stages: StageInput[], at: string): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) =>
    errors.push({ field: field ? `${at}.${field}` : at, message });
  const only = stages[0];
  if (stages.length !== 1) fail('', 'is only allowed with a single stage');
  else if ((only?.increment_ms ?? 0) > 0 || (only?.delay_ms ?? 0) > 0) {
    fail('', 'is only allowed with a stage whose increment_ms and delay_ms are 0 or absent');
  }
  if (byoyomi.kind === 'japanese') {
    if (!present(byoyomi.periods)) fail('periods', 'is required in japanese byo-yomi');
    else if (!isInt(byoyomi.periods, 1, L.periodsMax))
      fail('periods', `must be an integer from 1 to ${L.periodsMax}`);
    if (present(byoyomi.moves)) fail('moves', 'is only allowed in canadian byo-yomi');
  } else if (byoyomi.kind === 'canadian') {
    if (!present(byoyomi.moves)) fail('moves', 'is required in canadian byo-yomi');
    else if (!isInt(byoyomi.moves, 1, L.canadianMovesMax))
      fail('moves', `must be an integer from 1 to ${L.canadianMovesMax}`);
    if (present(byoyomi.periods)) fail('periods', 'is only allowed in japanese byo-yomi');
  } else {
    fail('kind', 'must be one of the following values: japanese, canadian');
  }
  if (!isInt(byoyomi.period_ms, L.periodMinMs, L.periodMaxMs)) {
    fail('period_ms', `must be an integer from ${L.periodMinMs} to ${L.periodMaxMs}`);
  }
  return errors;
}

/** The control as the state keeps and echoes it: what was given, nulls dropped. */
export function normalizeTimeControl(input: TimeControlInput): TimeControl {
  const control: TimeControl = { stages: input.stages.map(normalizeStage) };
  if (present(input.delay_kind)) control.delay_kind = input.delay_kind;
  if (present(input.increment_cap_ms)) control.increment_cap_ms = input.increment_cap_ms;
  if (present(input.byoyomi)) control.byoyomi = normalizeByoyomi(input.byoyomi);
  return control;
}

function normalizeStage(input: StageInput): Stage {
  const stage: Stage = { time_ms: input.time_ms };
  if (present(input.increment_ms)) stage.increment_ms = input.increment_ms;
  if (present(input.delay_ms)) stage.delay_ms = input.delay_ms;
  if (present(input.moves)) stage.moves = input.moves;
  return stage;
}

function normalizeByoyomi(input: ByoyomiInput): Byoyomi {
  return input.kind === 'japanese'
    ? { kind: 'japanese', periods: input.periods ?? 1, period_ms: input.period_ms }
    : { kind: 'canadian', moves: input.moves ?? 1, period_ms: input.period_ms };
}
