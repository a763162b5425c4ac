import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { register } from 'prom-client';
import { AUDIT_JOB, AUDIT_QUEUE, AuditEvent } from '../src/audit/audit.constants';
import { AuditWriter, UnwritableEventsError } from '../src/audit/audit-writer';
import { createSession } from '@synckairos/clock';
import { METRICS } from '../src/metrics/metric-names';
import { Api } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { waitUntil } from './support/wait';

/**
 * Issue 14, the work one caller can cause and the audit trail's completeness: events pages are
 * bounded in bytes and go on with a cursor; text PostgreSQL refuses never costs a session its
 * trail.
 */
describe('hostile resources', () => {
  let app: INestApplication;
  let api: Api;
  let pg: Client;

  const rowsOf = async (id: string) =>
    (
      await pg.query<{ version: number; state: { metadata?: Record<string, unknown> } }>(
        'SELECT version, state FROM sync_events WHERE session_id = $1 ORDER BY version',
        [id],
      )
    ).rows;

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    api = new Api(app.getHttpServer());
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await pg.end();
    await app.close();
    await cleanRedis();
  });

  describe('events pages of a 1,000-participant session (finding 8)', () => {
    const id = uniqueId('big');
    const SWITCHES = 12;

    beforeAll(async () => {
      const participants = Array.from({ length: 1000 }, (_, i) => ({
        participant_id: `player-${String(i).padStart(4, '0')}-with-a-longer-id`,
      }));
      await api
        .create({
          session_id: id,
          sync_mode: 'global',
          total_time_ms: 3_600_000,
          participants,
          metadata: { notes: 'n'.repeat(7000) },
        })
        .expect(201);
      await api.command(id, 'start').expect(200);
      for (let i = 0; i < SWITCHES; i++) await api.command(id, 'switch').expect(200);
      await waitUntil(
        () => rowsOf(id),
        (rows) => rows.length === SWITCHES + 2,
        30_000,
      );
    }, 60_000);

    it('a page stops at the byte budget, and next_cursor goes on to the end', async () => {
      const versions: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = cursor ? `cursor=${cursor}&limit=500` : 'limit=500';
        const res = await api.raw().get(`/v1/sessions/${id}/events?${query}`).expect(200);
        expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(1024 * 1024 + 1024);
        expect(res.body.data.length).toBeLessThan(500);
        versions.push(...res.body.data.map((e: { version: number }) => e.version));
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor !== undefined && pages < 50);
      expect(pages).toBeGreaterThan(1);
      expect(versions).toEqual(Array.from({ length: SWITCHES + 2 }, (_, i) => i + 1));
    });

    it('after_version keeps working and agrees with the cursor', async () => {
      const first = await api.raw().get(`/v1/sessions/${id}/events?limit=500`).expect(200);
      const last = first.body.data.at(-1).version as number;
      const [byVersion, byCursor] = await Promise.all([
        api.raw().get(`/v1/sessions/${id}/events?after_version=${last}&limit=3`),
        api.raw().get(`/v1/sessions/${id}/events?cursor=${first.body.next_cursor}&limit=3`),
      ]);
      expect(byVersion.body.data.map((e: { version: number }) => e.version)).toEqual([
        last + 1,
        last + 2,
        last + 3,
      ]);
      expect(byCursor.body).toEqual(byVersion.body);
    });

    it('the last page has no next_cursor; a page cut by limit has one', async () => {
      const all = await api.raw().get(`/v1/sessions/${id}/events?after_version=${SWITCHES}`);
      expect(all.body.data).toHaveLength(2);
      expect(all.body).not.toHaveProperty('next_cursor');
      const cut = await api
        .raw()
        .get(`/v1/sessions/${id}/events?after_version=${SWITCHES}&limit=1`);
      expect(cut.body.data).toHaveLength(1);
      expect(typeof cut.body.next_cursor).toBe('string');
    });
  });

  describe('an audit event that cannot be stored does not cost the trail (finding 5)', () => {
    const event = (id: string, version: number, metadata: Record<string, unknown>): AuditEvent => {
      const { state } = createSession(
        {
          session_id: id,
          sync_mode: 'global',
          participants: [{ participant_id: 'a' }],
          total_time_ms: 60_000,
          metadata,
        },
        Date.now(),
      );
      return {
        session_id: id,
        version,
        event_type: version === 1 ? 'session_created' : 'time_added',
        participant_id: null,
        occurred_at_ms: Date.now(),
        details: { note: metadata.note },
        state: JSON.stringify({ ...state, version }),
      };
    };
    const repaired = async () =>
      (await register.getSingleMetric(METRICS.auditRepaired)?.get())?.values[0]?.value ?? 0;

    it('text that got past the edge is stored with U+FFFD, for this and every later version', async () => {
      const id = uniqueId('nul');
      const before = await repaired();
      const queue = app.get<Queue>(getQueueToken(AUDIT_QUEUE));
      await queue.add(AUDIT_JOB, {
        events: [
          event(id, 1, { note: 'a\u0000b' }),
          event(id, 2, { note: 'a\u0000b' }),
          event(id, 3, { note: '\ud800' }),
        ],
      });
      await queue.add(AUDIT_JOB, { events: [event(id, 4, { note: 'a\u0000b' })] });
      const rows = await waitUntil(
        () => rowsOf(id),
        (r) => r.length === 4,
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
      expect(rows[0].state.metadata).toEqual({ note: 'a\ufffdb' });
      expect(rows[2].state.metadata).toEqual({ note: '\ufffd' });
      expect((await repaired()) - before).toBe(4);
      const session = await pg.query(
        'SELECT last_version FROM sync_sessions WHERE session_id = $1',
        [id],
      );
      expect(session.rows[0].last_version).toBe(4);
    });

    it('an event that still cannot be written fails alone, named, and the next versions land', async () => {
      const writer = app.get(AuditWriter);
      const id = uniqueId('unfixable');
      const bad = { ...event(id, 2, { note: 'ok' }), participant_id: 'p'.repeat(100) };
      const results = await Promise.allSettled([
        writer.write([event(id, 1, { note: 'ok' }), bad, event(id, 3, { note: 'ok' })]),
      ]);
      const failure = (results[0] as PromiseRejectedResult).reason as UnwritableEventsError;
      expect(failure).toBeInstanceOf(UnwritableEventsError);
      expect(failure.message).toContain(`${id} v2`);
      expect((await rowsOf(id)).map((r) => r.version)).toEqual([1, 3]);
    });
  });
});
