import { FakeSession } from '@synckairos/clock/testing';
import { toView } from '@synckairos/clock';
import { SessionChange } from '../state/session-change';
import { AuditJobData, eventsOf } from './audit.constants';
import { auditEventsOf } from './audit-events';

describe('auditEventsOf', () => {
  const changeOf = (session: FakeSession, stored?: string): SessionChange => {
    const before = session.state;
    const result = session.run({ kind: 'settle' });
    return {
      sessionId: before.session_id,
      before,
      after: result.state,
      stored,
      steps: result.steps,
      view: toView(result.state, session.now),
      now: session.now,
      watched: false,
    };
  };

  it('records the newest version with the text the compare-and-set wrote, older ones as JSON', () => {
    // Two cycles ran out since: two versions in one change.
    const session = FakeSession.of('per_cycle').start().advance(61_000);
    const change = changeOf(session, '{"written":"by the CAS"}');
    const events = auditEventsOf(change);
    expect(events.map((e) => [e.version, e.event_type, e.occurred_at_ms])).toEqual([
      [3, 'cycle_timeout', change.steps[0].at],
      [4, 'cycle_timeout', change.steps[1].at],
    ]);
    expect(JSON.parse(events[0].state)).toEqual(change.steps[0].state);
    expect(events[0].details).toEqual({ timeouts: change.steps[0].timeouts });
    expect(events[1].state).toBe('{"written":"by the CAS"}');
  });

  it('makes the text itself when the change does not carry it', () => {
    const change = changeOf(FakeSession.of('per_participant').start().advance(61_000));
    const [event] = auditEventsOf(change);
    expect(event.event_type).toBe('session_expired');
    expect(JSON.parse(event.state)).toEqual(change.after);
  });
});

describe('eventsOf', () => {
  const state = FakeSession.of('global').state;
  const event = {
    session_id: 'game-1',
    version: 1,
    event_type: 'session_created' as const,
    participant_id: null,
    occurred_at_ms: 0,
    details: null,
  };

  it('takes a batched job as it is', () => {
    const job: AuditJobData = { events: [{ ...event, state: JSON.stringify(state) }] };
    expect(eventsOf(job)).toEqual(job.events);
  });

  it('turns the object state of jobs queued before an upgrade into text, both shapes', () => {
    expect(eventsOf({ ...event, state })).toEqual([{ ...event, state: JSON.stringify(state) }]);
    expect(eventsOf({ events: [{ ...event, state }] })[0].state).toBe(JSON.stringify(state));
  });
});
