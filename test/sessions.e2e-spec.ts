import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';

describe('REST API (contract section 4)', () => {
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  describe('POST /v1/sessions', () => {
    it('creates a pending session at version 1 and answers 201 with the state', async () => {
      const id = uniqueId();
      const res = await api.create(
        chess(id, 60_000, { increment_ms: 2000, metadata: { table: 4 } }),
      );
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        session_id: id,
        sync_mode: 'per_participant',
        status: 'pending',
        version: 1,
        active_participant_id: null,
        increment_ms: 2000,
        auto_advance: true,
        time_per_cycle_ms: null,
        cycle_started_at: null,
        metadata: { table: 4 },
        participants: [
          {
            participant_id: 'white',
            participant_index: 0,
            total_time_ms: 60_000,
            time_used_ms: 0,
            time_remaining_ms: 60_000,
            cycle_count: 0,
            is_active: false,
            has_expired: false,
          },
          {
            participant_id: 'black',
            participant_index: 1,
            total_time_ms: 60_000,
            time_used_ms: 0,
            time_remaining_ms: 60_000,
            cycle_count: 0,
            is_active: false,
            has_expired: false,
          },
        ],
      });
      expect(typeof res.body.data.server_time_ms).toBe('number');
      expect(Date.parse(res.body.data.created_at)).toBe(Date.parse(res.body.data.updated_at));
    });

    it('refuses an id that is taken with 409 SESSION_EXISTS', async () => {
      const id = uniqueId();
      await api.create(chess(id)).expect(201);
      const res = await api.create(chess(id));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('SESSION_EXISTS');
    });

    it('refuses a deleted id while its tombstone lives', async () => {
      const id = uniqueId();
      await api.create(chess(id)).expect(201);
      await api.delete(id).expect(204);
      expect((await api.create(chess(id))).status).toBe(409);
    });

    it.each([
      ['an unknown field', (b: Record<string, unknown>) => ({ ...b, colour: 'red' }), 'colour'],
      [
        'a bad session id',
        (b: Record<string, unknown>) => ({ ...b, session_id: 'no spaces' }),
        'session_id',
      ],
      [
        'a 65-char session id',
        (b: Record<string, unknown>) => ({ ...b, session_id: 'x'.repeat(65) }),
        'session_id',
      ],
      [
        'an unknown mode',
        (b: Record<string, unknown>) => ({ ...b, sync_mode: 'fischer' }),
        'sync_mode',
      ],
      [
        'no participants',
        (b: Record<string, unknown>) => ({ ...b, participants: [] }),
        'participants',
      ],
      [
        'a string for a number',
        (b: Record<string, unknown>) => ({ ...b, total_time_ms: '60000' }),
        'total_time_ms',
      ],
      [
        'a fraction of a ms',
        (b: Record<string, unknown>) => ({ ...b, total_time_ms: 1000.5 }),
        'total_time_ms',
      ],
      [
        'total_time_ms under 1 s',
        (b: Record<string, unknown>) => ({ ...b, total_time_ms: 999 }),
        'total_time_ms',
      ],
      [
        'total_time_ms over a day',
        (b: Record<string, unknown>) => ({ ...b, total_time_ms: 86_400_001 }),
        'total_time_ms',
      ],
      [
        // Contract section 4: required in global only.
        'a missing total_time_ms in global',
        (b: Record<string, unknown>) => ({ ...b, sync_mode: 'global', total_time_ms: undefined }),
        'total_time_ms',
      ],
      [
        'increment over 60 s',
        (b: Record<string, unknown>) => ({ ...b, increment_ms: 60_001 }),
        'increment_ms',
      ],
      [
        'a negative increment',
        (b: Record<string, unknown>) => ({ ...b, increment_ms: -1 }),
        'increment_ms',
      ],
      [
        'metadata that is an array',
        (b: Record<string, unknown>) => ({ ...b, metadata: [1] }),
        'metadata',
      ],
      [
        'metadata over 8 KiB',
        (b: Record<string, unknown>) => ({ ...b, metadata: { x: 'y'.repeat(9000) } }),
        'metadata',
      ],
      [
        'auto_advance not a boolean',
        (b: Record<string, unknown>) => ({ ...b, auto_advance: 'yes' }),
        'auto_advance',
      ],
      [
        'a participant bank under 1 s',
        (b: Record<string, unknown>) => ({
          ...b,
          participants: [{ participant_id: 'a', total_time_ms: 10 }],
        }),
        'participants.0.total_time_ms',
      ],
      [
        'an unknown participant field',
        (b: Record<string, unknown>) => ({
          ...b,
          participants: [{ participant_id: 'a', total_time_ms: 1000, team: 1 }],
        }),
        'participants.0.team',
      ],
      [
        'a participant that is not an object',
        (b: Record<string, unknown>) => ({ ...b, participants: ['a'] }),
        'participants.0',
      ],
      [
        'duplicate participant ids',
        (b: Record<string, unknown>) => ({
          ...b,
          participants: [
            { participant_id: 'a', total_time_ms: 1000 },
            { participant_id: 'a', total_time_ms: 1000 },
          ],
        }),
        'participants.1.participant_id',
      ],
      [
        'a bank missing in per_participant',
        (b: Record<string, unknown>) => ({ ...b, participants: [{ participant_id: 'a' }] }),
        'participants.0.total_time_ms',
      ],
      [
        'per_cycle without time_per_cycle_ms',
        (b: Record<string, unknown>) => ({ ...b, sync_mode: 'per_cycle' }),
        'time_per_cycle_ms',
      ],
      [
        'more than 1,000 participants',
        (b: Record<string, unknown>) => ({
          ...b,
          participants: Array.from({ length: 1001 }, (_, i) => ({
            participant_id: `p${i}`,
            total_time_ms: 1000,
          })),
        }),
        'participants',
      ],
    ])('answers 400 VALIDATION_ERROR for %s, naming the field', async (_label, mutate, field) => {
      const res = await api.create(mutate(chess(uniqueId())));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('says a missing field is required, once, instead of listing every rule it fails', async () => {
      const body: Record<string, unknown> = { ...chess(uniqueId()), sync_mode: 'global' };
      delete body.total_time_ms;
      delete body.session_id;
      const res = await api.create(body).expect(400);
      expect(res.body.error.details.fields).toEqual(
        expect.arrayContaining([
          { field: 'total_time_ms', message: 'is required' },
          { field: 'session_id', message: 'is required' },
        ]),
      );
      expect(res.body.error.details.fields).toHaveLength(2);
      const wrong = await api.create({ ...chess(uniqueId()), total_time_ms: 'soon' }).expect(400);
      expect(wrong.body.error.details.fields[0].message).not.toBe('is required');
    });

    it('accepts 1,000 participants', async () => {
      const id = uniqueId();
      const body = {
        ...chess(id),
        participants: Array.from({ length: 1000 }, (_, i) => ({
          participant_id: `p${i}`,
          total_time_ms: 1000,
        })),
      };
      const res = await api.create(body);
      expect(res.status).toBe(201);
      expect(res.body.data.participants).toHaveLength(1000);
    });

    it('answers 400 for malformed JSON, a non-object body and an oversized body, never 500', async () => {
      const malformed = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send('{"session_id": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
      const array = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send('[]');
      expect(array.status).toBe(400);
      const scalar = await api
        .raw()
        .post('/v1/sessions')
        .set('content-type', 'application/json')
        .send('42');
      expect(scalar.status).toBe(400);
      const huge = await api.create({
        ...chess(uniqueId()),
        metadata: { blob: 'x'.repeat(300 * 1024) },
      });
      expect(huge.status).toBe(400);
      expect(huge.body.error.code).toBe('VALIDATION_ERROR');
    });
  });

  describe('commands', () => {
    it('runs a chess game: start, switches with increments, pause, resume, complete', async () => {
      const id = uniqueId();
      await api.create(chess(id, 60_000, { increment_ms: 1000 })).expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      expect(started).toMatchObject({
        status: 'running',
        version: 2,
        active_participant_id: 'white',
      });
      expect(started.cycle_started_at).toBe(started.session_started_at);

      await sleep(120);
      const switched = (
        await api.command(id, 'switch', { current_participant_id: 'white' }).expect(200)
      ).body.data;
      const used = Date.parse(switched.cycle_started_at) - Date.parse(started.cycle_started_at);
      expect(switched).toMatchObject({ version: 3, active_participant_id: 'black' });
      expect(switched.participants[0]).toMatchObject({
        time_used_ms: used,
        total_time_ms: 61_000,
        time_remaining_ms: 61_000 - used,
        cycle_count: 1,
      });

      const paused = (await api.command(id, 'pause').expect(200)).body.data;
      expect(paused).toMatchObject({ status: 'paused', cycle_started_at: null, version: 4 });
      await sleep(150);
      const stillPaused = (await api.get(id).expect(200)).body.data;
      expect(stillPaused.participants[1].time_used_ms).toBe(paused.participants[1].time_used_ms);
      expect(stillPaused.version).toBe(4);

      const resumed = (await api.command(id, 'resume').expect(200)).body.data;
      expect(resumed).toMatchObject({
        status: 'running',
        version: 5,
        active_participant_id: 'black',
      });
      const completed = (await api.command(id, 'complete').expect(200)).body.data;
      expect(completed).toMatchObject({
        status: 'completed',
        active_participant_id: null,
        version: 6,
      });
      expect(completed.session_completed_at).not.toBeNull();

      const refused = await api.command(id, 'switch');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        code: 'INVALID_STATE_TRANSITION',
        message: expect.stringContaining('session is completed'),
      });
    });

    it.each(['pause', 'resume', 'switch'])(
      'refuses %s on a pending session, naming the status',
      async (action) => {
        const id = uniqueId();
        await api.create(chess(id)).expect(201);
        const res = await api.command(id, action);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          code: 'INVALID_STATE_TRANSITION',
          message: expect.stringContaining('session is pending'),
        });
      },
    );

    it('cancel is allowed from pending and is final', async () => {
      const id = uniqueId();
      await api.create(chess(id)).expect(201);
      expect((await api.command(id, 'cancel').expect(200)).body.data.status).toBe('cancelled');
      expect((await api.command(id, 'start')).status).toBe(400);
      expect((await api.command(id, 'cancel')).status).toBe(400);
    });

    it.each(['start', 'switch', 'pause', 'resume', 'complete', 'cancel'])(
      '%s on an unknown session is 404',
      async (action) => {
        const res = await api.command(uniqueId(), action);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
      },
    );

    it('a malformed id is 400 on every route', async () => {
      const bad = encodeURIComponent('bad id!');
      expect((await api.raw().get(`/v1/sessions/${bad}`)).status).toBe(400);
      expect((await api.raw().post(`/v1/sessions/${bad}/start`)).status).toBe(400);
      expect((await api.raw().delete(`/v1/sessions/${bad}`)).status).toBe(400);
      expect((await api.raw().get(`/v1/sessions/${'x'.repeat(65)}`)).status).toBe(400);
      expect((await api.raw().get('/v1/sessions/%E0%A4%A')).status).toBe(400);
    });

    describe('switch guards', () => {
      let id: string;
      beforeEach(async () => {
        id = uniqueId();
        await api.create({
          ...chess(id),
          participants: ['a', 'b', 'c'].map((p) => ({ participant_id: p, total_time_ms: 60_000 })),
        });
        await api.command(id, 'start').expect(200);
      });

      it('409 CONFLICT when expected_version is not the current version, with both', async () => {
        const res = await api.command(id, 'switch', { expected_version: 1 });
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({
          code: 'CONFLICT',
          details: { expected_version: 1, actual_version: 2 },
        });
        await api.command(id, 'switch', { expected_version: 2 }).expect(200);
      });

      it('409 NOT_ACTIVE_PARTICIPANT makes a repeated "I moved" harmless', async () => {
        await api.command(id, 'switch', { current_participant_id: 'a' }).expect(200);
        const again = await api.command(id, 'switch', { current_participant_id: 'a' });
        expect(again.status).toBe(409);
        expect(again.body.error.code).toBe('NOT_ACTIVE_PARTICIPANT');
        expect((await api.get(id)).body.data).toMatchObject({
          version: 3,
          active_participant_id: 'b',
        });
      });

      it('next_participant_id picks the next player; an unknown one is 400', async () => {
        expect(
          (await api.command(id, 'switch', { next_participant_id: 'c' })).body.data
            .active_participant_id,
        ).toBe('c');
        const res = await api.command(id, 'switch', { next_participant_id: 'zed' });
        expect(res.status).toBe(400);
        expect(res.body.error.details.fields[0].field).toBe('next_participant_id');
      });

      it('refuses wrong types and unknown fields', async () => {
        expect((await api.command(id, 'switch', { expected_version: 'two' })).status).toBe(400);
        expect((await api.command(id, 'switch', { expected_version: 0 })).status).toBe(400);
        expect((await api.command(id, 'switch', { next: 'b' })).status).toBe(400);
      });
    });
  });

  describe('time', () => {
    it('settles a flag at the exact instant, on a read that comes later', async () => {
      const id = uniqueId();
      await api.create(chess(id, 1000)).expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      await sleep(1300);
      const v = (await api.get(id).expect(200)).body.data;
      expect(v).toMatchObject({ status: 'expired', active_participant_id: null, version: 3 });
      expect(Date.parse(v.session_completed_at) - Date.parse(started.cycle_started_at)).toBe(1000);
      expect(v.participants[0]).toMatchObject({
        has_expired: true,
        time_used_ms: 1000,
        time_remaining_ms: 0,
      });
    });

    it('a switch after the flag fell reports the participant that ran out', async () => {
      const id = uniqueId();
      await api.create({
        ...chess(id),
        participants: [
          { participant_id: 'a', total_time_ms: 1000 },
          { participant_id: 'b', total_time_ms: 60_000 },
          { participant_id: 'c', total_time_ms: 60_000 },
        ],
      });
      const started = (await api.command(id, 'start').expect(200)).body.data;
      await sleep(1200);
      const res = await api.command(id, 'switch', { current_participant_id: 'a' });
      expect([200, 409]).toContain(res.status); // 409 if the deadline worker settled it first
      const v = (await api.get(id)).body.data;
      expect(v.active_participant_id).toBe('b');
      expect(Date.parse(v.cycle_started_at) - Date.parse(started.cycle_started_at)).toBe(1000);
      if (res.status === 200) expect(res.body.data.expired_participant_id).toBe('a');
    });

    it('live fields are computed at server_time_ms and agree with this clock', async () => {
      const id = uniqueId();
      await api.create(chess(id)).expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      await sleep(250);
      const before = Date.now();
      const v = (await api.get(id)).body.data;
      const after = Date.now();
      const run = v.server_time_ms - Date.parse(started.cycle_started_at);
      expect(v.time_remaining_ms).toBe(60_000 - run);
      expect(v.time_elapsed_ms).toBe(run);
      expect(v.participants[0].time_used_ms).toBe(run);
      expect(v.server_time_ms).toBeGreaterThanOrEqual(before - 90);
      expect(v.server_time_ms).toBeLessThanOrEqual(after + 90);
    });

    it('GET /v1/time gives the server clock', async () => {
      const before = Date.now();
      const res = await api.raw().get('/v1/time').expect(200);
      expect(res.body).toMatchObject({ server_version: '2.0.0', drift_tolerance_ms: 50 });
      expect(res.body.data).toMatchObject({ server_version: '2.0.0', drift_tolerance_ms: 50 });
      expect(res.body.timestamp_ms).toBeGreaterThanOrEqual(before - 90);
      expect(res.body.timestamp_ms).toBeLessThanOrEqual(Date.now() + 90);
    });
  });

  describe('DELETE /v1/sessions/:id', () => {
    it('answers 204, also when there is no such session, and the session is gone', async () => {
      const id = uniqueId();
      await api.create(chess(id)).expect(201);
      await api.delete(id).expect(204);
      await api.delete(id).expect(204);
      await api.delete(uniqueId()).expect(204);
      expect((await api.get(id)).status).toBe(404);
      expect((await api.command(id, 'start')).status).toBe(404);
    });
  });

  describe('probes', () => {
    it('GET /health is ok without looking outside the process', async () => {
      const res = await api.raw().get('/health').expect(200);
      expect(res.body.status).toBe('ok');
    });

    it('GET /ready is ok while Redis answers', async () => {
      const res = await api.raw().get('/ready').expect(200);
      expect(res.body.details.redis.status).toBe('up');
    });
  });
});
