import { INestApplication } from '@nestjs/common';
import { SessionStore } from '../src/state/session-store';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { waitUntil } from './support/wait';

describe('concurrent switches over two instances', () => {
  let a: INestApplication;
  let b: INestApplication;

  beforeAll(async () => {
    [a, b] = await Promise.all([startApp(), startApp()]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await cleanRedis();
  });

  it('100 switches without expected_version give 100 answers, and every 200 is in the final state', async () => {
    const apiA = new Api(a.getHttpServer());
    const apiB = new Api(b.getHttpServer());
    const id = uniqueId('race');
    await apiA
      .create({
        session_id: id,
        sync_mode: 'per_participant',
        participants: ['p1', 'p2', 'p3'].map((p) => ({
          participant_id: p,
          total_time_ms: 3_600_000,
        })),
        total_time_ms: 3_600_000,
        increment_ms: 1000,
      })
      .expect(201);
    await apiB.command(id, 'start').expect(200);

    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? apiA : apiB).command(id, 'switch')),
    );

    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    const versions = answers.map((r) => r.body.data.version as number).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => i + 3));

    const final = (await apiA.get(id).expect(200)).body.data;
    expect(final.version).toBe(102);
    const turns = final.participants.map((p: { cycle_count: number }) => p.cycle_count);
    expect(turns.reduce((x: number, y: number) => x + y, 0)).toBe(100);
    const bonus = final.participants.map(
      (p: { total_time_ms: number }) => p.total_time_ms - 3_600_000,
    );
    expect(bonus).toEqual(turns.map((t: number) => t * 1000));
    // Rotation: 100 switches from p1 land on p2 (100 mod 3 = 1).
    expect(final.active_participant_id).toBe('p2');
  });

  it('an instance whose remembered state is stale decides on the truth', async () => {
    const apiA = new Api(a.getHttpServer());
    const apiB = new Api(b.getHttpServer());
    const id = uniqueId('stale');
    await apiA
      .create({
        session_id: id,
        sync_mode: 'per_participant',
        participants: ['p1', 'p2', 'p3'].map((p) => ({
          participant_id: p,
          total_time_ms: 600_000,
        })),
        total_time_ms: 600_000,
      })
      .expect(201);
    await apiA.command(id, 'start').expect(200); // A remembers v2, p1 to play
    await apiB.command(id, 'switch').expect(200); // the truth moves on: v3, p2 to play

    const late = await apiA.command(id, 'switch', { current_participant_id: 'p1' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('NOT_ACTIVE_PARTICIPANT');
    const versioned = await apiA.command(id, 'switch', {
      expected_version: 3,
      current_participant_id: 'p2',
    });
    expect(versioned.status).toBe(200);
    expect(versioned.body.data).toMatchObject({ version: 4, active_participant_id: 'p3' });
    await apiB.command(id, 'pause').expect(200);
    const paused = await apiA.command(id, 'switch');
    expect(paused.status).toBe(400);
    expect(paused.body.error.message).toContain('session is paused');
    await apiB.delete(id).expect(204);
    expect((await apiA.command(id, 'resume')).status).toBe(404);
  });

  it('with expected_version, exactly one of the racers wins and the others get 409 CONFLICT', async () => {
    const apiA = new Api(a.getHttpServer());
    const apiB = new Api(b.getHttpServer());
    const id = uniqueId('cas');
    await apiA
      .create({
        session_id: id,
        sync_mode: 'per_cycle',
        participants: [{ participant_id: 'x' }, { participant_id: 'y' }],
        total_time_ms: 60_000,
        time_per_cycle_ms: 60_000,
      })
      .expect(201);
    await apiA.command(id, 'start').expect(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? apiA : apiB).command(id, 'switch', { expected_version: 2 }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(answers.find((r) => r.status === 409)?.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { expected_version: 2, actual_version: 3 },
    });
  });

  it('on one instance a session takes turns: what arrives meanwhile commits together, nothing lost', async () => {
    const api = new Api(a.getHttpServer());
    const id = uniqueId('turns');
    await api.create(chess(id, 3_600_000, { increment_ms: 1000 })).expect(201);
    await api.command(id, 'start').expect(200);
    const cas = jest.spyOn(a.get(SessionStore), 'compareAndSet');
    let answers: { status: number; body: { data: { version: number } } }[];
    try {
      answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 10 === 9
            ? api.command(id, 'add-time', { participant_id: 'white', ms: 1000 })
            : api.command(id, 'switch'),
        ),
      );
      // No compare-and-set lost to the instance itself, and fewer of them than commands.
      const results = await Promise.all(
        cas.mock.results.map((r) => r.value as Promise<{ ok: boolean }>),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(cas.mock.calls.length).toBeLessThan(40);
    } finally {
      cas.mockRestore();
    }
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    // Every command has a version of its own, and its answer is the state right after it.
    const versions = answers.map((r) => r.body.data.version).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 3));
    const final = (await api.get(id).expect(200)).body.data;
    expect(final.version).toBe(42);
    const turns = final.participants.map((p: { cycle_count: number }) => p.cycle_count);
    expect(turns.reduce((x: number, y: number) => x + y, 0)).toBe(36);
    // 36 switches: white and black played 18 turns each (+1 s each), white got 4 × 1 s more.
    const banks = final.participants.map((p: { total_time_ms: number }) => p.total_time_ms);
    expect(banks).toEqual([3_600_000 + 18_000 + 4_000, 3_600_000 + 18_000]);
    const events = await waitUntil(
      () => api.raw().get(`/v1/sessions/${id}/events?after_version=2`),
      (res) => res.body.data?.length === 40,
    );
    expect(events.body.data.map((e: { version: number }) => e.version)).toEqual(versions);
  });

  it('a command refused in the middle of a turn refuses only itself', async () => {
    const api = new Api(a.getHttpServer());
    const id = uniqueId('mid-refusal');
    await api.create(chess(id, 3_600_000)).expect(201);
    await api.command(id, 'start').expect(200);
    // Never valid (the session is at version 2 already), wherever it lands in the turn.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.command(id, 'switch', i === 5 ? { expected_version: 1 } : {}),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 409, 200, 200, 200, 200,
    ]);
    expect(answers[5].body.error.code).toBe('CONFLICT');
    const versions = answers
      .filter((r) => r.status === 200)
      .map((r) => r.body.data.version as number)
      .sort((x, y) => x - y);
    expect(versions).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await api.get(id).expect(200)).body.data.version).toBe(11);
  });
});
