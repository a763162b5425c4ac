import { FakeSession, input } from '@synckairos/clock/testing';
import { lowTimeCrossing, toView } from '@synckairos/clock';
import { SessionChange, SessionDeletion } from '../state/session-change';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types';
import { webhookEventsOf } from './webhook-producer';

const changeOf = (session: FakeSession, run: () => unknown, stored?: string): SessionChange => {
  const before = session.state;
  run();
  const after = session.state;
  return {
    sessionId: after.session_id,
    before,
    after,
    stored,
    steps: session.last.steps,
    view: toView(after, session.now),
    now: session.now,
    watched: false,
  };
};

const hook = { url: 'https://hooks.example/in', events: [...WEBHOOK_EVENT_TYPES] };
const fallback = { url: 'https://default.example/', events: ['session_started'] };

describe('webhookEventsOf', () => {
  it('is empty for a session without a webhook when there is no default', () => {
    const s = FakeSession.of('per_participant');
    expect(
      webhookEventsOf(
        changeOf(s, () => s.start()),
        null,
      ),
    ).toEqual([]);
  });

  it("gives each version the session's URL, in order, chained to the one before", () => {
    // Two turns ran out since: two versions in one change.
    const s = FakeSession.of('per_cycle', { webhook: hook }).start().advance(61_000);
    const change = changeOf(s, () => s.run({ kind: 'settle' }), '{"stored":"by the CAS"}');
    const [a, b] = webhookEventsOf(change, fallback);
    expect([a, b].map((e) => [e.version, e.type, e.seq, e.prev, e.url])).toEqual([
      [3, 'cycle_timeout', 6, 4, hook.url],
      [4, 'cycle_timeout', 8, 6, hook.url],
    ]);
    expect(JSON.parse(a.state as string)).toEqual(change.steps[0].state);
    expect(b.state).toBe('{"stored":"by the CAS"}');
    expect(a.occurred_at_ms).toBe(change.steps[0].at);
  });

  it('puts a low-time warning after its version’s own event, before the next version', () => {
    const s = FakeSession.of('per_participant', { webhook: hook, low_time_ms: 10_000 }).start();
    const crossing = lowTimeCrossing(s.state);
    if (crossing === null) throw new Error('no crossing');
    const warning = { sessionId: s.state.session_id, version: 2, crossing, state: s.state };
    const [event] = webhookEventsOf(warning, fallback);
    expect(event).toMatchObject({
      version: 2,
      type: 'low_time',
      seq: 5,
      prev: 4,
      occurred_at_ms: crossing.at_ms,
      url: hook.url,
    });
    expect(JSON.parse(event.state as string)).toEqual(s.state);
    const unhooked = FakeSession.of('per_participant', { low_time_ms: 10_000 }).start();
    expect(webhookEventsOf({ ...warning, state: unhooked.state }, null)).toEqual([]);
    expect(webhookEventsOf({ ...warning, state: unhooked.state }, fallback)[0].url).toBeUndefined();
  });

  it('starts a chain at creation, and sends the types the webhook leaves out as markers', () => {
    const own = { url: hook.url, events: ['session_started'] };
    const s = new FakeSession(input('per_participant', { webhook: own }));
    const created: SessionChange = {
      sessionId: s.state.session_id,
      before: null,
      after: s.state,
      steps: [
        {
          type: 'session_created',
          version: 1,
          at: s.now,
          participant_id: null,
          timeouts: [],
          state: s.state,
        },
      ],
      view: toView(s.state, s.now),
      now: s.now,
      watched: false,
    };
    expect(webhookEventsOf(created, null)).toEqual([
      {
        session_id: 'game-1',
        version: 1,
        type: 'session_created',
        occurred_at_ms: s.state.created_at,
        seq: 2,
        prev: null,
      },
    ]);
    expect(
      webhookEventsOf(
        changeOf(s, () => s.start()),
        null,
      ),
    ).toEqual([
      expect.objectContaining({ version: 2, type: 'session_started', prev: 2, url: hook.url }),
    ]);
  });

  it("uses the default webhook for sessions without their own; a session's own replaces it", () => {
    const plain = FakeSession.of('per_participant');
    expect(
      webhookEventsOf(
        changeOf(plain, () => plain.start()),
        fallback,
      )[0].url,
    ).toBe(fallback.url);
    const own = FakeSession.of('per_participant', { webhook: hook });
    expect(
      webhookEventsOf(
        changeOf(own, () => own.start()),
        fallback,
      )[0].url,
    ).toBe(hook.url);
    const paused = FakeSession.of('per_participant').start();
    const [marker] = webhookEventsOf(
      changeOf(paused, () => paused.run({ kind: 'pause' })),
      fallback,
    );
    expect(marker).toMatchObject({ type: 'session_paused' });
    expect(marker.url).toBeUndefined();
    expect(marker.state).toBeUndefined();
  });

  it('gives a deletion the version after the last, with the state that was deleted', () => {
    const s = FakeSession.of('global', { webhook: hook });
    const deletion: SessionDeletion = {
      sessionId: 'game-1',
      last: s.state,
      version: 2,
      now: s.now + 5,
    };
    expect(webhookEventsOf(deletion, null)).toEqual([
      expect.objectContaining({
        version: 2,
        type: 'session_deleted',
        seq: 4,
        prev: 2,
        occurred_at_ms: s.now + 5,
        url: hook.url,
        state: JSON.stringify(s.state),
      }),
    ]);
    expect(webhookEventsOf({ ...deletion, last: FakeSession.of('global').state }, null)).toEqual(
      [],
    );
  });
});
