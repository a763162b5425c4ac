import fc from 'fast-check';
import { applyCommand } from './apply-command';
import { ClockState, Step } from './clock.types';
import { deadlineOf } from './running-clock';
import { ParticipantView, SessionView, toView } from './session-view';
import { stageOf } from './time-control';
import { controlledSessionArb, drive, Op, opArb, settledAt } from './time-control.fixtures';

/**
 * Section 7 holds for any control and any sequence of commands at any instants: random
 * controls (delays, stages, caps, byo-yomi, time odds) driven by random commands.
 */
const ops = fc.array(opArb, { maxLength: 30 });

/** Where section 7 puts the flag of the running clock, read off the view alone. */
function flagFromView(v: SessionView): number | null {
  const a = v.participants.find((p) => p.is_active);
  if (v.status !== 'running' || !a?.time_control) return null;
  const now = v.server_time_ms;
  const c = a.time_control;
  const byo = c.byoyomi;
  const st = a.byoyomi_state;
  const bank = a.time_remaining_ms ?? 0;
  if (!byo) return now + (c.delay_kind === 'simple' ? (a.delay_remaining_ms ?? 0) : 0) + bank;
  if (!st) {
    const rest =
      byo.kind === 'japanese' ? (a.byoyomi_periods_left ?? 0) * byo.period_ms : byo.period_ms;
    return now + bank + rest;
  }
  if ('periods_left' in st)
    return now + (st.periods_left - 1) * byo.period_ms + st.period_remaining_ms;
  return now + st.period_remaining_ms;
}

function checkParticipant(p: ParticipantView): void {
  const c = p.time_control;
  if (!c) throw new Error(`${p.participant_id} has no control`);
  expect(p.time_remaining_ms).toBeGreaterThanOrEqual(0);
  expect(p.total_time_ms).toBe(p.time_used_ms + (p.time_remaining_ms ?? 0));
  expect(p.stage_index).toBe(stageOf(c, p.cycle_count + 1).index);
  const delay = c.stages[p.stage_index ?? 0].delay_ms ?? 0;
  expect(p.delay_remaining_ms).toBeGreaterThanOrEqual(0);
  expect(p.delay_remaining_ms).toBeLessThanOrEqual(p.is_active ? delay : 0);
  const st = p.byoyomi_state;
  if (!c.byoyomi) expect(st).toBeNull();
  if (!st) return;
  expect(p.time_remaining_ms).toBe(0);
  expect(st.period_remaining_ms).toBeGreaterThanOrEqual(p.has_expired ? 0 : 1);
  expect(st.period_remaining_ms).toBeLessThanOrEqual(c.byoyomi?.period_ms ?? 0);
  if ('periods_left' in st) expect(st.periods_left).toBeGreaterThanOrEqual(p.has_expired ? 0 : 1);
}

describe('time control properties', () => {
  it('the bank never goes below 0, total = used + remaining, every view consistent', () => {
    fc.assert(
      fc.property(
        controlledSessionArb,
        ops,
        fc.integer({ min: 0, max: 40_000 }),
        (spec, list, ahead) => {
          drive(spec, list, (run) => {
            for (const p of run.state.participants) {
              if (!p.has_expired)
                expect(p.total_time_ms - p.time_used_ms).toBeGreaterThanOrEqual(0);
            }
            for (const t of [run.now, run.now + ahead]) {
              const v = toView(settledAt(run.state, t), t);
              v.participants.forEach(checkParticipant);
              const active = v.participants.find((p) => p.is_active);
              expect(v.time_remaining_ms).toBe(active ? active.time_remaining_ms : null);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the flag falls exactly where section 7 puts it, and the deadline is armed there', () => {
    fc.assert(
      fc.property(
        controlledSessionArb,
        ops,
        fc.integer({ min: 0, max: 80_000 }),
        (spec, list, wait) => {
          const run = drive(spec, list);
          const v = toView(run.state, run.now);
          const flag = flagFromView(v);
          expect(deadlineOf(run.state)).toBe(flag);
          if (flag === null) return;
          const at = run.now + wait;
          const later = applyCommand(run.state, { kind: 'settle' }, at);
          if (flag > at) {
            expect(later.steps).toHaveLength(0);
            return;
          }
          expect(later.steps[0].at).toBe(flag);
          expect(later.steps[0].timeouts[0]).toMatchObject({
            kind: 'participant',
            participant_id: v.active_participant_id,
            at_ms: flag,
          });
          // One ms before, it still plays.
          expect(applyCommand(run.state, { kind: 'settle' }, flag - 1).steps).toHaveLength(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a state computed at t, then settled to t’, equals the state settled straight to t’', () => {
    const summary = (steps: Step[]) =>
      steps.map((x) => [x.type, x.version, x.at, x.participant_id, x.details, x.timeouts]);
    fc.assert(
      fc.property(
        controlledSessionArb,
        ops,
        fc.array(fc.integer({ min: 0, max: 9000 }), { maxLength: 30 }),
        (spec, list, peeks) => {
          const withPeeks: Op[] = list.flatMap((op, i) => {
            const peek = Math.min(peeks[i] ?? 0, op.dt);
            return [
              { dt: peek, kind: 'settle' as const },
              { ...op, dt: op.dt - peek },
            ];
          });
          const plain = drive(spec, list);
          const peeked = drive(spec, withPeeks);
          expect(peeked.state).toEqual(plain.state);
          expect(summary(peeked.steps)).toEqual(summary(plain.steps));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('what a participant was given is what the audit says it was given', () => {
    fc.assert(
      fc.property(controlledSessionArb, ops, (spec, list) => {
        const run = drive(spec, list);
        for (const p of run.state.participants) {
          const first = (p.time_control ?? run.state.time_control)?.stages[0].time_ms ?? 0;
          let given = first;
          let charged = 0;
          for (const step of run.steps.filter((x) => x.participant_id === p.participant_id)) {
            const d = step.details ?? {};
            if (step.type === 'cycle_switched') {
              given += Number(d.increment_ms) + Number(d.stage_added_ms);
              charged += Number(d.charged_ms);
            }
            if (step.type === 'time_added') given += Number(d.applied_ms);
          }
          expect(p.total_time_ms).toBe(given);
          // A turn that ended in a flag was charged without a move to account for it.
          const flagged = run.steps.some((x) =>
            x.timeouts.some(
              (o) => o.kind === 'participant' && o.participant_id === p.participant_id,
            ),
          );
          if (!flagged && waitingOnMainTime(run.state, p.participant_id)) {
            expect(p.time_used_ms).toBe(charged);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

function waitingOnMainTime(s: ClockState, id: string): boolean {
  const p = s.participants.find((x) => x.participant_id === id);
  if (!p || p.has_expired) return false;
  // A finish charges the turn in progress, which no move accounts for.
  const waiting =
    s.status === 'pending' ||
    ((s.status === 'running' || s.status === 'paused') && s.active_participant_id !== id);
  return waiting && p.total_time_ms - p.time_used_ms > 0;
}
