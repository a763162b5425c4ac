import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '../src/state/redis.constants';
import { SessionKeys } from '../src/state/session-keys';
import { Api } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/**
 * Tournament time controls (contract section 7) over REST and Socket.IO, with short controls:
 * each rule's flag pushed as session:timeout at its exact instant, and each switch's account
 * in the audit trail.
 */
const anchorOf = (state: { cycle_started_at: string }) => Date.parse(state.cycle_started_at);

const chessUnder = (id: string, control: Record<string, unknown>, extra = {}) => ({
  session_id: id,
  sync_mode: 'per_participant',
  participants: [{ participant_id: 'white' }, { participant_id: 'black' }],
  time_control: control,
  ...extra,
});

describe('Time controls (contract section 7)', () => {
  let app: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  const watch = async (id: string) => {
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    return w;
  };

  /** The first `count` events of the audit trail, as GET /v1/sessions/:id/events shows them. */
  const eventsOf = async (id: string, count: number): Promise<any[]> =>
    (
      await waitUntil(
        async (): Promise<any[]> =>
          (await api.raw().get(`/v1/sessions/${id}/events`)).body.data ?? [],
        (events) => events.length >= count,
      )
    ).slice(0, count);

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  describe('validation: 400 VALIDATION_ERROR naming the field', () => {
    const stage = { time_ms: 60_000 };
    it.each<[string, Record<string, unknown>, string]>([
      [
        'moves on the last stage',
        {
          time_control: {
            stages: [
              { ...stage, moves: 2 },
              { ...stage, moves: 1 },
            ],
          },
        },
        'time_control.stages.1.moves',
      ],
      [
        'a stage but the last without moves',
        { time_control: { stages: [stage, stage] } },
        'time_control.stages.0.moves',
      ],
      [
        'a first stage under 1 s',
        { time_control: { stages: [{ time_ms: 999 }] } },
        'time_control.stages.0.time_ms',
      ],
      ['a stage that is not an object', { time_control: { stages: [5] } }, 'time_control.stages.0'],
      ['stages that are not an array', { time_control: { stages: 'all' } }, 'time_control.stages'],
      ['no stages', { time_control: {} }, 'time_control.stages'],
      ['a time_control that is an array', { time_control: [stage] }, 'time_control'],
      [
        'an unknown field in a control',
        { time_control: { stages: [stage], colour: 1 } },
        'time_control.colour',
      ],
      [
        'an unknown field in a stage',
        { time_control: { stages: [{ ...stage, bonus: 1 }] } },
        'time_control.stages.0.bonus',
      ],
      [
        'a fractional increment',
        { time_control: { stages: [{ ...stage, increment_ms: 1.5 }] } },
        'time_control.stages.0.increment_ms',
      ],
      [
        'a delay over 60 s',
        { time_control: { stages: [{ ...stage, delay_ms: 60_001 }], delay_kind: 'simple' } },
        'time_control.stages.0.delay_ms',
      ],
      [
        'an unknown delay_kind',
        { time_control: { stages: [{ ...stage, delay_ms: 1 }], delay_kind: 'fischer' } },
        'time_control.delay_kind',
      ],
      [
        'a delay without delay_kind',
        { time_control: { stages: [{ ...stage, delay_ms: 1 }] } },
        'time_control.delay_kind',
      ],
      [
        'a cap of 999',
        { time_control: { stages: [stage], increment_cap_ms: 999 } },
        'time_control.increment_cap_ms',
      ],
      [
        'an unknown byo-yomi kind',
        {
          time_control: {
            stages: [stage],
            byoyomi: { kind: 'korean', periods: 1, period_ms: 1000 },
          },
        },
        'time_control.byoyomi.kind',
      ],
      [
        'byo-yomi with a delay',
        {
          time_control: {
            stages: [{ ...stage, delay_ms: 1 }],
            delay_kind: 'simple',
            byoyomi: { kind: 'japanese', periods: 1, period_ms: 1000 },
          },
        },
        'time_control.byoyomi',
      ],
      [
        'japanese without periods',
        { time_control: { stages: [stage], byoyomi: { kind: 'japanese', period_ms: 1000 } } },
        'time_control.byoyomi.periods',
      ],
      [
        'canadian with 101 moves',
        {
          time_control: {
            stages: [stage],
            byoyomi: { kind: 'canadian', moves: 101, period_ms: 1000 },
          },
        },
        'time_control.byoyomi.moves',
      ],
      [
        'a participant bank with a control',
        {
          participants: [
            { participant_id: 'white', total_time_ms: 1000 },
            { participant_id: 'black' },
          ],
          time_control: { stages: [stage] },
        },
        'participants.0.total_time_ms',
      ],
      [
        'a session increment with a control',
        { time_control: { stages: [stage] }, increment_ms: 1000 },
        'increment_ms',
      ],
      [
        "a participant's period under 1 s",
        {
          participants: [
            {
              participant_id: 'white',
              time_control: {
                stages: [stage],
                byoyomi: { kind: 'japanese', periods: 1, period_ms: 999 },
              },
            },
            { participant_id: 'black' },
          ],
          time_control: { stages: [stage] },
        },
        'participants.0.time_control.byoyomi.period_ms',
      ],
      [
        'a participant without one when others have theirs',
        {
          participants: [
            { participant_id: 'white', time_control: { stages: [stage] } },
            { participant_id: 'black' },
          ],
          time_control: undefined,
        },
        'participants.1.time_control',
      ],
      [
        'a time_control in per_group',
        {
          sync_mode: 'per_group',
          participants: [{ participant_id: 'a', group_id: 'g', total_time_ms: 1000 }],
        },
        'time_control',
      ],
    ])('%s', async (_label, mutate, field) => {
      const res = await api.create({
        ...chessUnder(uniqueId('tcv'), { stages: [stage] }),
        ...mutate,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('time_control: null means none; a null inside a control is refused, naming the field', async () => {
      const plain = {
        session_id: uniqueId('nul'),
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'w', total_time_ms: 1000, time_control: null },
          { participant_id: 'b', total_time_ms: 1000 },
        ],
        time_control: null,
      };
      expect((await api.create(plain).expect(201)).body.data.time_control).toBeNull();
      const control = {
        stages: [{ ...stage, moves: null, delay_ms: null }],
        byoyomi: null,
        delay_kind: null,
        increment_cap_ms: null,
      };
      const res = await api.create(chessUnder(uniqueId('nul'), control)).expect(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(
        expect.arrayContaining([
          'time_control.stages.0.moves',
          'time_control.stages.0.delay_ms',
          'time_control.byoyomi',
          'time_control.delay_kind',
          'time_control.increment_cap_ms',
        ]),
      );
      const bad = await api.create(chessUnder(uniqueId('nul'), { stages: [null] })).expect(400);
      expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(
        'time_control.stages.0',
      );
    });

    it.each([0, 1001, 2.5, '3'])('max_idle_rounds %p is refused', async (rounds) => {
      const res = await api.create({
        session_id: uniqueId('idle'),
        sync_mode: 'per_cycle',
        time_per_cycle_ms: 1000,
        max_idle_rounds: rounds,
        participants: [{ participant_id: 'a' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].field).toBe('max_idle_rounds');
    });

    it('a per_cycle time_per_cycle_ms of null is missing, not a session that spins', async () => {
      const res = await api.create({
        session_id: uniqueId('null'),
        sync_mode: 'per_cycle',
        time_per_cycle_ms: null,
        participants: [{ participant_id: 'a' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
        'time_per_cycle_ms',
      ]);
    });

    it('every example of the OpenAPI document is a valid session', async () => {
      const doc = (await api.raw().get('/api-docs.json').expect(200)).body;
      const examples =
        doc.paths['/v1/sessions'].post.requestBody.content['application/json'].examples;
      expect(Object.keys(examples).length).toBeGreaterThanOrEqual(9);
      for (const [name, example] of Object.entries<{ value: Record<string, unknown> }>(examples)) {
        const res = await api.create({
          ...example.value,
          session_id: uniqueId(name.replace(/_/g, '-')),
        });
        expect([name, res.status]).toEqual([name, 201]);
      }
    });
  });

  it('the state shows the controls, top level and per participant (time odds)', async () => {
    const id = uniqueId('odds');
    const white = {
      stages: [
        { time_ms: 300_000, moves: 60 },
        { time_ms: 0, increment_ms: 2000 },
      ],
    };
    const black = {
      stages: [
        { time_ms: 240_000, moves: 60 },
        { time_ms: 0, increment_ms: 2000 },
      ],
    };
    const created = (
      await api
        .create({
          session_id: id,
          sync_mode: 'per_participant',
          participants: [
            { participant_id: 'white', time_control: white },
            { participant_id: 'black', time_control: black },
          ],
        })
        .expect(201)
    ).body.data;
    expect(created).toMatchObject({ time_control: null, total_time_ms: 540_000 });
    expect(created.participants).toEqual([
      expect.objectContaining({
        total_time_ms: 300_000,
        time_control: white,
        stage_index: 0,
        delay_remaining_ms: 0,
        byoyomi_state: null,
      }),
      expect.objectContaining({
        total_time_ms: 240_000,
        time_control: black,
        stage_index: 0,
        delay_remaining_ms: 0,
        byoyomi_state: null,
      }),
    ]);
  });

  describe('each flag is pushed as session:timeout at its exact instant', () => {
    it.each<[string, Record<string, unknown>, number]>([
      ['no delay: turn start + B', { stages: [{ time_ms: 1000 }] }, 1000],
      [
        'simple delay: turn start + D + B',
        { stages: [{ time_ms: 1000, delay_ms: 500 }], delay_kind: 'simple' },
        1500,
      ],
      [
        'Bronstein: turn start + B',
        { stages: [{ time_ms: 1000, delay_ms: 500 }], delay_kind: 'bronstein' },
        1000,
      ],
      [
        'Japanese: byo-yomi start + p × period',
        { stages: [{ time_ms: 1000 }], byoyomi: { kind: 'japanese', periods: 2, period_ms: 1000 } },
        3000,
      ],
      [
        'Canadian: when the period runs out',
        { stages: [{ time_ms: 1000 }], byoyomi: { kind: 'canadian', moves: 3, period_ms: 1000 } },
        2000,
      ],
    ])('%s', async (_label, control, after) => {
      const id = uniqueId('flag');
      await api.create(chessUnder(id, control)).expect(201);
      const w = await watch(id);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      const due = anchorOf(started) + after;
      const flag = await w.next('session:timeout', (t) => t.kind === 'participant', after + 3000);
      expect(flag).toEqual({
        session_id: id,
        kind: 'participant',
        participant_id: 'white',
        at_ms: due,
        version: 3,
      });
      expect(await w.next('session:timeout', (t) => t.kind === 'session')).toMatchObject({
        at_ms: due,
      });
      const end = await w.next('session:state', (s) => s.version === 3);
      expect(end.state).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(due).toISOString(),
      });
      expect(end.state.participants[0]).toMatchObject({ has_expired: true, time_remaining_ms: 0 });
    });

    it('a turn that begins in byo-yomi flags at its start + the periods left', async () => {
      const id = uniqueId('byo');
      const control = {
        stages: [{ time_ms: 1000 }],
        byoyomi: { kind: 'japanese', periods: 2, period_ms: 1000 },
      };
      await api.create(chessUnder(id, control)).expect(201);
      const w = await watch(id);
      await api.command(id, 'start').expect(200);
      await sleep(1150); // white is 150 ms into its first period
      const moved = (
        await api.command(id, 'switch', { current_participant_id: 'white' }).expect(200)
      ).body.data;
      expect(moved.participants[0]).toMatchObject({
        time_remaining_ms: 0,
        byoyomi_state: { periods_left: 2, period_remaining_ms: 1000 },
      });
      const back = (
        await api.command(id, 'switch', { current_participant_id: 'black' }).expect(200)
      ).body.data;
      const due = anchorOf(back) + 2000;
      expect(await w.next('session:timeout', (t) => t.kind === 'participant', 5000)).toMatchObject({
        participant_id: 'white',
        at_ms: due,
      });
    });
  });

  it('a running session with byo-yomi is never evicted from Redis; one without has a TTL', async () => {
    const pttl = (id: string) =>
      app.get<Redis>(REDIS_CLIENT).pttl(app.get(SessionKeys).session(id));
    const go = uniqueId('go');
    const byoyomi = { kind: 'canadian', moves: 10, period_ms: 60_000 };
    await api.create(chessUnder(go, { stages: [{ time_ms: 60_000 }], byoyomi })).expect(201);
    await api.command(go, 'start').expect(200);
    expect(await pttl(go)).toBe(-1);
    const fide = uniqueId('fide');
    await api.create(chessUnder(fide, { stages: [{ time_ms: 60_000 }] })).expect(201);
    await api.command(fide, 'start').expect(200);
    expect(await pttl(fide)).toBeGreaterThan(120_000);
  });

  describe('each switch records what it charged and gave, in the audit trail', () => {
    it('Bronstein over REST: charged max(0, t - D), refund min(D, t)', async () => {
      const id = uniqueId('dgt');
      await api
        .create(
          chessUnder(id, { stages: [{ time_ms: 60_000, delay_ms: 150 }], delay_kind: 'bronstein' }),
        )
        .expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      await sleep(250);
      const moved = (await api.command(id, 'switch').expect(200)).body.data;
      const t = anchorOf(moved) - anchorOf(started);
      expect(moved.participants[0]).toMatchObject({
        time_remaining_ms: 60_000 - Math.max(0, t - 150),
      });
      const [, , switched] = await eventsOf(id, 3);
      expect(switched).toMatchObject({ event_type: 'cycle_switched', participant_id: 'white' });
      expect(switched.metadata).toEqual({
        next_participant_id: 'black',
        charged_ms: Math.max(0, t - 150),
        delay_refund_ms: Math.min(150, t),
        increment_ms: 0,
        stage_added_ms: 0,
      });
    });

    it('stages and a capped increment over Socket.IO', async () => {
      const id = uniqueId('fide');
      const control = {
        stages: [
          { time_ms: 60_000, increment_ms: 30_000, moves: 1 },
          { time_ms: 20_000, increment_ms: 30_000 },
        ],
        increment_cap_ms: 75_000,
      };
      await api.create(chessUnder(id, control)).expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      const w = await watch(id);
      const ack = await w.request('session:switch', {
        session_id: id,
        current_participant_id: 'white',
      });
      const t = anchorOf(ack.data) - anchorOf(started);
      // 60 s - t, +30 s capped at 75 s, then the next stage's 20 s on top (not capped).
      expect(ack.data.participants[0]).toMatchObject({ time_remaining_ms: 95_000, stage_index: 1 });
      const [, , switched] = await eventsOf(id, 3);
      expect(switched.metadata).toEqual({
        next_participant_id: 'black',
        charged_ms: t,
        delay_refund_ms: 0,
        increment_ms: 15_000 + t,
        stage_added_ms: 20_000,
      });
    });

    it('a US simple delay over REST: a move within the delay costs nothing', async () => {
      const id = uniqueId('us');
      await api
        .create(
          chessUnder(id, { stages: [{ time_ms: 60_000, delay_ms: 5000 }], delay_kind: 'simple' }),
        )
        .expect(201);
      await api.command(id, 'start').expect(200);
      const moved = (await api.command(id, 'switch').expect(200)).body.data;
      expect(moved.participants[0]).toMatchObject({ time_remaining_ms: 60_000, time_used_ms: 0 });
      expect(moved.participants[1]).toMatchObject({
        is_active: true,
        delay_remaining_ms: expect.any(Number),
      });
      const [, , switched] = await eventsOf(id, 3);
      expect(switched.metadata).toMatchObject({ charged_ms: 0, delay_refund_ms: 0 });
    });
  });

  it('per_cycle: every turn timed out in a row max_idle_rounds times ends the session, pushed', async () => {
    const id = uniqueId('idle');
    await api
      .create({
        session_id: id,
        sync_mode: 'per_cycle',
        time_per_cycle_ms: 1000,
        max_idle_rounds: 1,
        participants: [{ participant_id: 'x' }, { participant_id: 'y' }],
      })
      .expect(201);
    const w = await watch(id);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    expect(started).toMatchObject({ max_idle_rounds: 1, consecutive_timeouts: 0 });
    const end = await w.next('session:timeout', (t) => t.kind === 'session', 5000);
    expect(end.at_ms).toBe(anchorOf(started) + 2000);
    expect(
      w.of('session:timeout').map((t) => [t.kind, t.participant_id, t.at_ms - anchorOf(started)]),
    ).toEqual([
      ['cycle', 'x', 1000],
      ['cycle', 'y', 2000],
      ['session', undefined, 2000],
    ]);
    const state = (await api.get(id).expect(200)).body.data;
    expect(state).toMatchObject({ status: 'expired', consecutive_timeouts: 2 });
    const events = await eventsOf(id, 4);
    expect(events[3]).toMatchObject({
      event_type: 'session_expired',
      metadata: expect.objectContaining({ reason: 'max_idle_rounds', max_idle_rounds: 1 }),
    });
  });
});
