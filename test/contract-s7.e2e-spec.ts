import { INestApplication } from '@nestjs/common';
import { Api } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';

/**
 * Contract section 7 (and the parts of sections 3 and 4 it touches), read sentence by sentence,
 * as only the HTTP and socket surface shows it: every row of the table and the scope paragraph
 * as a 400 naming its path, the state's echo of controls, each switch's account in the audit
 * trail, and each kind of flag pushed as session:timeout at its exact instant.
 */
const stage = { time_ms: 60_000 };
const chess = (id: string, extra: Record<string, unknown>) => ({
  session_id: id,
  sync_mode: 'per_participant',
  participants: [{ participant_id: 'white' }, { participant_id: 'black' }],
  ...extra,
});
const control = (extra: Record<string, unknown>) => ({
  time_control: { stages: [stage], ...extra },
});
const japanese = (extra: Record<string, unknown> = {}) => ({
  kind: 'japanese',
  periods: 1,
  period_ms: 1000,
  ...extra,
});
const canadian = (extra: Record<string, unknown> = {}) => ({
  kind: 'canadian',
  moves: 1,
  period_ms: 1000,
  ...extra,
});
const twoStages = (first: Record<string, unknown>, second: Record<string, unknown> = {}) => ({
  time_control: {
    stages: [
      { ...stage, moves: 40, ...first },
      { ...stage, ...second },
    ],
  },
});
const withOwn = (own: Record<string, unknown>, session?: Record<string, unknown>) => ({
  participants: [
    { participant_id: 'white', time_control: own },
    { participant_id: 'black', time_control: { stages: [stage] } },
  ],
  ...(session && { time_control: session }),
});

/** Every rule of the table and the scope paragraph, broken once, with the path it must name. */
const BROKEN: [string, Record<string, unknown>, string][] = [
  ['no stages', { time_control: { stages: [] } }, 'time_control.stages'],
  [
    'six stages',
    { time_control: { stages: [1, 2, 3, 4, 5, 6].map(() => ({ ...stage, moves: 1 })) } },
    'time_control.stages',
  ],
  ['stages missing', { time_control: {} }, 'time_control.stages'],
  [
    'first time_ms 999',
    { time_control: { stages: [{ time_ms: 999 }] } },
    'time_control.stages.0.time_ms',
  ],
  [
    'first time_ms 0',
    { time_control: { stages: [{ time_ms: 0 }] } },
    'time_control.stages.0.time_ms',
  ],
  [
    'first time_ms over a day',
    { time_control: { stages: [{ time_ms: 86_400_001 }] } },
    'time_control.stages.0.time_ms',
  ],
  [
    'first time_ms missing',
    { time_control: { stages: [{ increment_ms: 1 }] } },
    'time_control.stages.0.time_ms',
  ],
  [
    'time_ms a string',
    { time_control: { stages: [{ time_ms: '60000' }] } },
    'time_control.stages.0.time_ms',
  ],
  [
    'time_ms fractional',
    { time_control: { stages: [{ time_ms: 60_000.5 }] } },
    'time_control.stages.0.time_ms',
  ],
  ['a later time_ms below 0', twoStages({}, { time_ms: -1 }), 'time_control.stages.1.time_ms'],
  [
    'a later time_ms over a day',
    twoStages({}, { time_ms: 86_400_001 }),
    'time_control.stages.1.time_ms',
  ],
  [
    'increment_ms 60,001',
    { time_control: { stages: [{ ...stage, increment_ms: 60_001 }] } },
    'time_control.stages.0.increment_ms',
  ],
  [
    'increment_ms -1',
    { time_control: { stages: [{ ...stage, increment_ms: -1 }] } },
    'time_control.stages.0.increment_ms',
  ],
  [
    'delay_ms 60,001',
    { time_control: { stages: [{ ...stage, delay_ms: 60_001 }], delay_kind: 'simple' } },
    'time_control.stages.0.delay_ms',
  ],
  [
    'delay_ms -1',
    { time_control: { stages: [{ ...stage, delay_ms: -1 }] } },
    'time_control.stages.0.delay_ms',
  ],
  ['moves 0', twoStages({ moves: 0 }), 'time_control.stages.0.moves'],
  ['moves 501', twoStages({ moves: 501 }), 'time_control.stages.0.moves'],
  ['moves on the last stage', twoStages({}, { moves: 20 }), 'time_control.stages.1.moves'],
  [
    'moves on a single stage',
    { time_control: { stages: [{ ...stage, moves: 40 }] } },
    'time_control.stages.0.moves',
  ],
  [
    'a stage but the last without moves',
    { time_control: { stages: [stage, stage] } },
    'time_control.stages.0.moves',
  ],
  [
    'a middle stage without moves',
    { time_control: { stages: [{ ...stage, moves: 1 }, stage, stage] } },
    'time_control.stages.1.moves',
  ],
  [
    'increment and delay in one stage',
    {
      time_control: { stages: [{ ...stage, increment_ms: 1, delay_ms: 1 }], delay_kind: 'simple' },
    },
    'time_control.stages.0.delay_ms',
  ],
  [
    'a delay without delay_kind',
    { time_control: { stages: [{ ...stage, delay_ms: 1 }] } },
    'time_control.delay_kind',
  ],
  [
    'a later stage delay without delay_kind',
    twoStages({}, { delay_ms: 5 }),
    'time_control.delay_kind',
  ],
  ['delay_kind without any delay', control({ delay_kind: 'simple' }), 'time_control.delay_kind'],
  [
    'delay_kind with delays all 0',
    { time_control: { stages: [{ ...stage, delay_ms: 0 }], delay_kind: 'bronstein' } },
    'time_control.delay_kind',
  ],
  [
    'an unknown delay_kind',
    { time_control: { stages: [{ ...stage, delay_ms: 1 }], delay_kind: 'us' } },
    'time_control.delay_kind',
  ],
  ['increment_cap_ms 999', control({ increment_cap_ms: 999 }), 'time_control.increment_cap_ms'],
  [
    'increment_cap_ms over a day',
    control({ increment_cap_ms: 86_400_001 }),
    'time_control.increment_cap_ms',
  ],
  [
    'increment_cap_ms fractional',
    control({ increment_cap_ms: 1000.5 }),
    'time_control.increment_cap_ms',
  ],
  [
    'an unknown byo-yomi kind',
    control({ byoyomi: { kind: 'korean', periods: 1, period_ms: 1000 } }),
    'time_control.byoyomi.kind',
  ],
  [
    'byo-yomi without kind',
    control({ byoyomi: { periods: 1, period_ms: 1000 } }),
    'time_control.byoyomi.kind',
  ],
  [
    'japanese periods 0',
    control({ byoyomi: japanese({ periods: 0 }) }),
    'time_control.byoyomi.periods',
  ],
  [
    'japanese periods 51',
    control({ byoyomi: japanese({ periods: 51 }) }),
    'time_control.byoyomi.periods',
  ],
  [
    'japanese without periods',
    control({ byoyomi: { kind: 'japanese', period_ms: 1000 } }),
    'time_control.byoyomi.periods',
  ],
  [
    'japanese with moves',
    control({ byoyomi: japanese({ moves: 5 }) }),
    'time_control.byoyomi.moves',
  ],
  ['canadian moves 0', control({ byoyomi: canadian({ moves: 0 }) }), 'time_control.byoyomi.moves'],
  [
    'canadian moves 101',
    control({ byoyomi: canadian({ moves: 101 }) }),
    'time_control.byoyomi.moves',
  ],
  [
    'canadian without moves',
    control({ byoyomi: { kind: 'canadian', period_ms: 1000 } }),
    'time_control.byoyomi.moves',
  ],
  [
    'canadian with periods',
    control({ byoyomi: canadian({ periods: 5 }) }),
    'time_control.byoyomi.periods',
  ],
  [
    'period_ms 999',
    control({ byoyomi: japanese({ period_ms: 999 }) }),
    'time_control.byoyomi.period_ms',
  ],
  [
    'period_ms over an hour',
    control({ byoyomi: canadian({ period_ms: 3_600_001 }) }),
    'time_control.byoyomi.period_ms',
  ],
  [
    'period_ms missing',
    control({ byoyomi: { kind: 'japanese', periods: 1 } }),
    'time_control.byoyomi.period_ms',
  ],
  [
    'byo-yomi with two stages',
    { time_control: { ...twoStages({}).time_control, byoyomi: japanese() } },
    'time_control.byoyomi',
  ],
  [
    'byo-yomi with an increment',
    { time_control: { stages: [{ ...stage, increment_ms: 1 }], byoyomi: canadian() } },
    'time_control.byoyomi',
  ],
  [
    'byo-yomi with a delay',
    {
      time_control: {
        stages: [{ ...stage, delay_ms: 1 }],
        delay_kind: 'bronstein',
        byoyomi: japanese(),
      },
    },
    'time_control.byoyomi',
  ],
  ['an unknown field in a control', control({ flag_fall: true }), 'time_control.flag_fall'],
  [
    'an unknown field in a stage',
    { time_control: { stages: [{ ...stage, bonus_ms: 1 }] } },
    'time_control.stages.0.bonus_ms',
  ],
  [
    'an unknown field in byo-yomi',
    control({ byoyomi: japanese({ extra: 1 }) }),
    'time_control.byoyomi.extra',
  ],
  ['a control that is a string', { time_control: 'fide' }, 'time_control'],
  // The scope paragraph.
  [
    "a participant's own broken control",
    withOwn({ stages: [stage], byoyomi: japanese({ period_ms: 999 }) }, { stages: [stage] }),
    'participants.0.time_control.byoyomi.period_ms',
  ],
  [
    "a participant's own stage without moves",
    withOwn({ stages: [stage, stage] }),
    'participants.0.time_control.stages.0.moves',
  ],
  [
    'one participant has one, the session none, another none',
    {
      participants: [
        { participant_id: 'white', time_control: { stages: [stage] } },
        { participant_id: 'black' },
      ],
    },
    'participants.1.time_control',
  ],
  ['a session increment with a control', { ...control({}), increment_ms: 1000 }, 'increment_ms'],
  [
    'a session increment with participant controls only',
    { ...withOwn({ stages: [stage] }), increment_ms: 1 },
    'increment_ms',
  ],
  [
    'a participant bank with a session control',
    {
      ...control({}),
      participants: [
        { participant_id: 'white' },
        { participant_id: 'black', total_time_ms: 60_000 },
      ],
    },
    'participants.1.total_time_ms',
  ],
  [
    'a participant bank with its own control',
    {
      participants: [
        { participant_id: 'white', total_time_ms: 60_000, time_control: { stages: [stage] } },
        { participant_id: 'black', time_control: { stages: [stage] } },
      ],
    },
    'participants.0.total_time_ms',
  ],
  [
    'a participant bank beside a control of another',
    {
      ...control({}),
      participants: [
        { participant_id: 'white', time_control: { stages: [stage] } },
        { participant_id: 'black', total_time_ms: 60_000 },
      ],
    },
    'participants.1.total_time_ms',
  ],
];

/** A control outside per_participant, in every other mode. */
const OTHER_MODES: [string, Record<string, unknown>][] = [
  ['per_cycle', { sync_mode: 'per_cycle', time_per_cycle_ms: 10_000 }],
  [
    'per_group',
    {
      sync_mode: 'per_group',
      participants: [
        { participant_id: 'white', group_id: 'w', total_time_ms: 60_000 },
        { participant_id: 'black', group_id: 'b', total_time_ms: 60_000 },
      ],
    },
  ],
  ['global', { sync_mode: 'global', total_time_ms: 60_000 }],
  ['count_up', { sync_mode: 'count_up' }],
];

/** Sessions the rules accept: each boundary of the table, held from the inside. */
const ACCEPTED: [string, Record<string, unknown>][] = [
  [
    'five stages',
    {
      time_control: { stages: [...[1, 2, 3, 4].map(() => ({ ...stage, moves: 500 })), stage] },
    },
  ],
  [
    'bounds of every stage field',
    {
      time_control: {
        stages: [
          { time_ms: 1000, increment_ms: 60_000, moves: 1 },
          { time_ms: 0, delay_ms: 60_000 },
          { time_ms: 86_400_000, increment_ms: 0, delay_ms: 0 },
        ].map((s, i) => (i === 1 ? { ...s, moves: 500 } : s)),
        delay_kind: 'simple',
      },
    },
  ],
  ['a cap below the stage time', control({ increment_cap_ms: 1000 })],
  ['a cap of a day', control({ increment_cap_ms: 86_400_000 })],
  ['japanese at its bounds', control({ byoyomi: japanese({ periods: 50, period_ms: 3_600_000 }) })],
  ['canadian at its bounds', control({ byoyomi: canadian({ moves: 100, period_ms: 1000 }) })],
  [
    'byo-yomi with increment and delay 0',
    { time_control: { stages: [{ ...stage, increment_ms: 0, delay_ms: 0 }], byoyomi: japanese() } },
  ],
  ['a session increment of 0 with a control', { ...control({}), increment_ms: 0 }],
  ["the session's own total_time_ms with a control", { ...control({}), total_time_ms: 120_000 }],
  ['every participant its own, the session none', withOwn({ stages: [{ time_ms: 240_000 }] })],
  [
    'a session control and one participant its own',
    withOwn({ stages: [{ time_ms: 240_000 }] }, { stages: [{ time_ms: 300_000 }] }),
  ],
];

describe('Contract section 7 from its own words', () => {
  let app: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  const watch = async (id: string) => {
    const w = new Watcher(baseUrl(app), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    return w;
  };
  const fieldsOf = (body: any): string[] =>
    (body?.error?.details?.fields ?? []).map((f: { field: string }) => f.field);
  const eventsOf = async (id: string, count: number): Promise<any[]> =>
    waitUntil(
      async (): Promise<any[]> =>
        (await api.raw().get(`/v1/sessions/${id}/events`)).body.data ?? [],
      (events) => events.length >= count,
    );
  const anchor = (state: { cycle_started_at: string }) => Date.parse(state.cycle_started_at);

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });
  afterEach(() => watchers.splice(0).forEach((w) => w.close()));
  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  describe('validation: 400 VALIDATION_ERROR naming the exact path', () => {
    it.each(BROKEN)('%s', async (_name, extra, path) => {
      const res = await api.create(chess(uniqueId('bad'), extra));
      expect({ status: res.status, code: res.body.error?.code }).toEqual({
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(fieldsOf(res.body)).toContain(path);
    });

    it.each(OTHER_MODES)(
      'a time_control in %s is refused, session or participant',
      async (_m, mode) => {
        const base = { ...chess(uniqueId('mode'), {}), ...mode };
        const session = await api.create({ ...base, ...control({}) });
        expect(session.status).toBe(400);
        expect(fieldsOf(session.body)).toContain('time_control');
        const participants = (base.participants as Record<string, unknown>[]).map((p, i) =>
          i === 0 ? { ...p, time_control: { stages: [stage] } } : p,
        );
        const own = await api.create({ ...base, session_id: uniqueId('mode'), participants });
        expect(own.status).toBe(400);
        expect(fieldsOf(own.body)).toContain('participants.0.time_control');
      },
    );

    it.each(ACCEPTED)('accepts %s', async (_name, extra) => {
      const res = await api.create(chess(uniqueId('ok'), extra));
      expect(res.status).toBe(201);
    });

    it('section 4: total_time_ms is required in global only', async () => {
      const noBudget = (mode: string, extra: Record<string, unknown> = {}) =>
        api.create({
          session_id: uniqueId('budget'),
          sync_mode: mode,
          participants: [
            {
              participant_id: 'a',
              total_time_ms: 60_000,
              ...(mode === 'per_group' && { group_id: 'x' }),
            },
            {
              participant_id: 'b',
              total_time_ms: 60_000,
              ...(mode === 'per_group' && { group_id: 'y' }),
            },
          ],
          ...extra,
        });
      for (const mode of ['per_participant', 'per_group', 'count_up'])
        expect((await noBudget(mode)).status).toBe(201);
      expect((await noBudget('per_cycle', { time_per_cycle_ms: 5000 })).status).toBe(201);
      const global = await noBudget('global');
      expect(global.status).toBe(400);
      expect(fieldsOf(global.body)).toContain('total_time_ms');
      const bankless = await api.create({
        session_id: uniqueId('budget'),
        sync_mode: 'per_participant',
        participants: [{ participant_id: 'a' }, { participant_id: 'b', total_time_ms: 60_000 }],
      });
      expect(bankless.status).toBe(400);
      expect(fieldsOf(bankless.body)).toContain('participants.0.total_time_ms');
    });

    it.each([0, 1001, 2.5, '3'])('section 3: max_idle_rounds %p is refused', async (rounds) => {
      const res = await api.create({
        session_id: uniqueId('idle'),
        sync_mode: 'per_cycle',
        time_per_cycle_ms: 1000,
        participants: [{ participant_id: 'a' }, { participant_id: 'b' }],
        max_idle_rounds: rounds,
      });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toContain('max_idle_rounds');
    });
  });

  describe('the state echoes the controls', () => {
    it('top level null when none; otherwise the session one, and each participant its effective one', async () => {
      const plain = await api.create({
        session_id: uniqueId('plain'),
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'a', total_time_ms: 60_000 },
          { participant_id: 'b', total_time_ms: 60_000 },
        ],
      });
      expect(plain.body.data.time_control).toBeNull();
      const mine = { stages: [{ time_ms: 240_000 }] };
      const theirs = {
        stages: [{ time_ms: 300_000, increment_ms: 2000 }],
        increment_cap_ms: 310_000,
      };
      const res = await api.create(chess(uniqueId('odds'), withOwn(mine, theirs)));
      const state = res.body.data;
      expect(state.time_control).toEqual(theirs);
      expect(state.participants[0].time_control).toEqual(mine);
      expect(state.participants[1].time_control).toEqual({ stages: [stage] });
      expect(state.participants.map((p: any) => p.total_time_ms)).toEqual([240_000, 60_000]);
      expect(state.participants[0]).toMatchObject({
        stage_index: 0,
        delay_remaining_ms: 0,
        byoyomi_state: null,
        time_used_ms: 0,
        time_remaining_ms: 240_000,
      });
      const odds = await api.create(chess(uniqueId('odds'), withOwn(mine)));
      expect(odds.body.data.time_control).toBeNull();
    });
  });

  describe('flags pushed as session:timeout kind participant at their exact instant', () => {
    const flagOf = async (
      id: string,
      body: Record<string, unknown>,
      untilFlag: (turn: number) => number,
    ) => {
      expect((await api.create(chess(id, body))).status).toBe(201);
      const w = await watch(id);
      const started = (await api.command(id, 'start')).body.data;
      const flag = await w.next('session:timeout', (x) => x.kind === 'participant', 8000);
      const received = w.received.find((r) => r.payload === flag)?.at as number;
      const expected = untilFlag(anchor(started));
      expect(flag).toMatchObject({ participant_id: 'white', at_ms: expected });
      expect(Math.abs(received - expected)).toBeLessThan(250);
      const end = (await api.get(id)).body.data;
      expect(end).toMatchObject({
        status: 'expired',
        active_participant_id: null,
        session_completed_at: new Date(expected).toISOString(),
      });
      expect(end.participants[0]).toMatchObject({ has_expired: true, time_remaining_ms: 0 });
      return end;
    };

    it('simple delay: turn start + D + B', async () => {
      await flagOf(
        uniqueId('simple'),
        { time_control: { stages: [{ time_ms: 1000, delay_ms: 700 }], delay_kind: 'simple' } },
        (start) => start + 700 + 1000,
      );
    });

    it('Bronstein: turn start + B', async () => {
      await flagOf(
        uniqueId('bronstein'),
        { time_control: { stages: [{ time_ms: 1200, delay_ms: 700 }], delay_kind: 'bronstein' } },
        (start) => start + 1200,
      );
    });

    it('Japanese: byo-yomi start + p × period_ms', async () => {
      const end = await flagOf(
        uniqueId('japanese'),
        {
          time_control: {
            stages: [{ time_ms: 1000 }],
            byoyomi: japanese({ periods: 2, period_ms: 1000 }),
          },
        },
        (start) => start + 1000 + 2 * 1000,
      );
      expect(end.participants[0].time_used_ms).toBe(1000);
    });

    it('Canadian: when the period runs out first', async () => {
      await flagOf(
        uniqueId('canadian'),
        {
          time_control: {
            stages: [{ time_ms: 1000 }],
            byoyomi: canadian({ moves: 3, period_ms: 1500 }),
          },
        },
        (start) => start + 1000 + 1500,
      );
    });
  });

  describe('add-time during the turn', () => {
    it('raises B without restarting the delay or moving cycle_started_at; the flag moves by it', async () => {
      const id = uniqueId('add');
      const body = {
        time_control: { stages: [{ time_ms: 1000, delay_ms: 800 }], delay_kind: 'simple' },
      };
      await api.create(chess(id, body));
      const w = await watch(id);
      const started = (await api.command(id, 'start')).body.data;
      await sleep(300);
      const added = await api.command(id, 'add-time', { participant_id: 'white', ms: 700 });
      expect(added.status).toBe(200);
      expect(added.body.data.cycle_started_at).toBe(started.cycle_started_at);
      const t = added.body.data.server_time_ms - anchor(started);
      expect(added.body.data.participants[0]).toMatchObject({
        total_time_ms: 1700,
        time_remaining_ms: 1700,
        delay_remaining_ms: 800 - t,
      });
      const flag = await w.next('session:timeout', (x) => x.kind === 'participant', 6000);
      expect(flag.at_ms).toBe(anchor(started) + 800 + 1700);
    });

    it('time taken that empties the bank flags at once', async () => {
      const id = uniqueId('take');
      await api.create(
        chess(id, {
          time_control: { stages: [{ time_ms: 60_000, delay_ms: 5000 }], delay_kind: 'bronstein' },
        }),
      );
      const w = await watch(id);
      await api.command(id, 'start');
      const taken = (
        await api.command(id, 'add-time', { participant_id: 'white', ms: -86_400_000 })
      ).body.data;
      expect(taken).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(taken.server_time_ms).toISOString(),
      });
      const flag = await w.next('session:timeout', (x) => x.kind === 'participant');
      expect(flag).toMatchObject({ participant_id: 'white', at_ms: taken.server_time_ms });
    });
  });

  describe('live state over REST', () => {
    it('simple delay: time_remaining_ms frozen until the delay is spent; delay_remaining_ms runs', async () => {
      const id = uniqueId('frozen');
      await api.create(
        chess(id, {
          time_control: { stages: [{ time_ms: 5000, delay_ms: 2000 }], delay_kind: 'simple' },
        }),
      );
      const started = (await api.command(id, 'start')).body.data;
      await sleep(300);
      const live = (await api.get(id)).body.data;
      const t = live.server_time_ms - anchor(started);
      expect(live.time_remaining_ms).toBe(5000);
      expect(live.participants[0]).toMatchObject({
        time_remaining_ms: 5000,
        time_used_ms: 0,
        delay_remaining_ms: 2000 - t,
      });
      expect(live.participants[1].delay_remaining_ms).toBe(0);
    });

    it('Japanese byo-yomi live and a waiting participant showing period_ms', async () => {
      const id = uniqueId('live-jp');
      await api.create(
        chess(id, {
          time_control: {
            stages: [{ time_ms: 1000 }],
            byoyomi: japanese({ periods: 3, period_ms: 1000 }),
          },
        }),
      );
      const started = (await api.command(id, 'start')).body.data;
      await sleep(1400);
      const live = (await api.get(id)).body.data;
      const s = live.server_time_ms - anchor(started) - 1000;
      expect(live.participants[0]).toMatchObject({
        time_remaining_ms: 0,
        time_used_ms: 1000,
        total_time_ms: 1000,
        byoyomi_state: {
          periods_left: 3 - Math.floor(s / 1000),
          period_remaining_ms: 1000 - (s % 1000),
        },
      });
      expect(live.time_remaining_ms).toBe(0);
      expect(live.participants[1].byoyomi_state).toBeNull();
      const moved = (await api.command(id, 'switch')).body.data;
      expect(moved.participants[0].byoyomi_state).toEqual({
        periods_left: 3 - Math.floor((anchor(moved) - anchor(started) - 1000) / 1000),
        period_remaining_ms: 1000,
      });
    });
  });

  describe('the audit metadata of every switch', () => {
    it('Bronstein: charged max(0, t − D), refund min(D, t), increment and stage time 0', async () => {
      const id = uniqueId('audit-b');
      await api.create(
        chess(id, {
          time_control: { stages: [{ time_ms: 10_000, delay_ms: 300 }], delay_kind: 'bronstein' },
        }),
      );
      const started = (await api.command(id, 'start')).body.data;
      await sleep(500);
      const moved = (await api.command(id, 'switch')).body.data;
      const t = anchor(moved) - anchor(started);
      const [, , switched] = await eventsOf(id, 3);
      expect(switched.metadata).toMatchObject({
        charged_ms: Math.max(0, t - 300),
        delay_refund_ms: Math.min(300, t),
        increment_ms: 0,
        stage_added_ms: 0,
      });
      expect(moved.participants[0]).toMatchObject({
        time_remaining_ms: 10_000 - Math.max(0, t - 300),
        time_used_ms: Math.max(0, t - 300),
        total_time_ms: 10_000,
      });
    });

    it('capped Fischer and a stage: increment after the cap, then the next stage time', async () => {
      const id = uniqueId('audit-f');
      await api.create(
        chess(id, {
          time_control: {
            stages: [
              { time_ms: 10_000, increment_ms: 5000, moves: 1 },
              { time_ms: 4000, delay_ms: 100 },
            ],
            increment_cap_ms: 12_000,
            delay_kind: 'simple',
          },
        }),
      );
      const started = (await api.command(id, 'start')).body.data;
      await sleep(100);
      const moved = (await api.command(id, 'switch')).body.data;
      const t = anchor(moved) - anchor(started);
      const bank = 10_000 - t;
      const after = Math.max(bank, Math.min(bank + 5000, 12_000));
      const [, , switched] = await eventsOf(id, 3);
      expect(switched.metadata).toMatchObject({
        charged_ms: t,
        delay_refund_ms: 0,
        increment_ms: after - bank,
        stage_added_ms: 4000,
      });
      expect(moved.participants[0]).toMatchObject({
        time_remaining_ms: after + 4000,
        total_time_ms: 10_000 + (after - bank) + 4000,
        stage_index: 1,
        cycle_count: 1,
      });
      expect(moved.participants[1]).toMatchObject({ stage_index: 0, delay_remaining_ms: 0 });
    });
  });

  describe('section 3: max_idle_rounds', () => {
    it('every participant timed out in a row max_idle_rounds times: expired at that instant', async () => {
      const id = uniqueId('idle');
      await api.create({
        session_id: id,
        sync_mode: 'per_cycle',
        time_per_cycle_ms: 1000,
        participants: [{ participant_id: 'a' }, { participant_id: 'b' }],
        max_idle_rounds: 1,
      });
      const w = await watch(id);
      const started = (await api.command(id, 'start')).body.data;
      const last = await w.next('session:timeout', (x) => x.kind === 'session', 6000);
      expect(last.at_ms).toBe(anchor(started) + 2000);
      const end = (await api.get(id)).body.data;
      expect(end).toMatchObject({
        status: 'expired',
        session_completed_at: new Date(anchor(started) + 2000).toISOString(),
      });
      expect(
        w
          .of('session:timeout')
          .filter((x) => x.kind === 'cycle')
          .map((x) => x.at_ms),
      ).toEqual(expect.arrayContaining([anchor(started) + 1000]));
    });
  });
});
