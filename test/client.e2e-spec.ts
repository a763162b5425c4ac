import { SyncKairosClient, SyncKairosError, liveView } from '../packages/client/src';
import type { SessionState } from '../packages/client/src';
import { chess } from './support/api';
import { cleanRedis, sleep, uniqueId } from './support/e2e-app';
import { ProxiedService } from './support/instances';
import { waitUntil } from './support/wait';

/** Waits until `check` holds (it reads state the clients keep: nothing to await). */
const eventually = (check: () => boolean, timeoutMs = 10_000) =>
  waitUntil(() => Promise.resolve(check()), Boolean, timeoutMs);

/**
 * The SDK against the real service through a proxy that delays each direction by 40 ± 10 ms,
 * as a client across a network sees it. The service runs on this machine: its clock is the
 * test's `Date.now()`, so the true offset is 0 and every error can be measured.
 */
describe('@synckairos/client against the service, through 40 ± 10 ms each way', () => {
  let service: ProxiedService;
  const clients: SyncKairosClient[] = [];
  const newClient = () => {
    const c = new SyncKairosClient({ url: service.url });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    service = await new ProxiedService(
      { RATE_LIMIT_ENABLED: 'false' },
      { up: { ms: 40, jitterMs: 10 }, down: { ms: 40, jitterMs: 10 } },
    ).start();
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    await service.stop();
    await cleanRedis();
  });

  it('estimates the offset with an honest bound, over REST and then over the socket', async () => {
    const client = newClient();
    const offset = await client.sync();
    expect(offset.samples).toBeGreaterThan(0);
    expect(offset.rtt_ms).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < 20; i++) {
      const error = Math.abs(client.now() - Date.now());
      expect(error).toBeLessThanOrEqual(client.offset.error_ms + 1);
      await sleep(10);
    }
    client.watch(uniqueId('none'));
    await eventually(() => client.connected);
    await eventually(() => client.offset.samples >= 8);
    expect(Math.abs(client.now() - Date.now())).toBeLessThanOrEqual(client.offset.error_ms + 1);
  });

  it('watches a session: the snapshot, then every change in version order, live values as the server', async () => {
    const client = newClient();
    const id = uniqueId('sdk');
    await client.create(chess(id, 60_000) as never);
    await client.start(id);
    const versions: number[] = [];
    const w = client.watch(id, { onState: (s) => versions.push(s.version) });
    await eventually(() => w.version === 2);
    for (const mover of ['white', 'black', 'white']) {
      await client.switch(id, { current_participant_id: mover });
    }
    await client.switch(id, { current_participant_id: 'black' }, { via: 'socket' });
    await eventually(() => w.version === 6);
    expect(versions).toEqual([2, 3, 4, 5, 6]);
    // the SDK's live state at the server's own instant is the server's answer, field for field
    const answer = await client.get(id);
    expect(liveView(w.state as SessionState, answer.server_time_ms)).toEqual(answer);
    // and what it shows now is the server's value now, within its bound
    const shown = w.remaining('white') as number;
    const truth =
      (answer.participants[0].time_remaining_ms as number) - (Date.now() - answer.server_time_ms);
    expect(Math.abs(shown - truth)).toBeLessThanOrEqual(client.offset.error_ms + 2);
    const live = w.live() as SessionState;
    expect(live.time_remaining_ms).toBe(live.participants[0].time_remaining_ms);
  });

  it('survives a rolling restart: reconnects, joins again, takes the fresh snapshot, no version twice', async () => {
    const client = newClient();
    const id = uniqueId('sdk');
    await client.create(chess(id, 600_000) as never);
    await client.start(id);
    const versions: number[] = [];
    const w = client.watch(id, { onState: (s) => versions.push(s.version) });
    await eventually(() => client.connected && w.version === 2);
    await service.replace(); // io server disconnect: stock clients stop here
    // made by another client while this one is away: it sees it only by joining again
    const other = newClient();
    await other.switch(id, { current_participant_id: 'white' });
    await eventually(() => client.connected && w.version === 3, 8000);
    await other.switch(id, { current_participant_id: 'black' });
    await eventually(() => w.version === 4);
    expect(versions).toEqual([2, 3, 4]);
    expect(w.live()?.active_participant_id).toBe('white');
  });

  it('survives a dropped network: the proxy cuts every connection', async () => {
    const client = newClient();
    const id = uniqueId('sdk');
    await client.create(chess(id) as never);
    const versions: number[] = [];
    const w = client.watch(id, { onState: (s) => versions.push(s.version) });
    await eventually(() => client.connected && w.version === 1);
    service.proxy.dropConnections();
    // a command on the dropped keep-alive connection is sent again: its key makes that safe
    await client.start(id, {}, { idempotencyKey: `${id}-start` });
    await newClient().switch(id);
    await eventually(() => client.connected && w.version === 3, 8000);
    expect(versions).toEqual([1, 2, 3]);
  });

  it('reports the contract errors as SyncKairosError', async () => {
    const client = newClient();
    const id = uniqueId('sdk');
    await expect(client.get(id)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404 });
    await client.create(chess(id) as never);
    const dup = await client.create(chess(id) as never).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(SyncKairosError);
    expect(dup).toMatchObject({ code: 'SESSION_EXISTS', status: 409 });
    await expect(client.switch(id)).rejects.toMatchObject({ code: 'INVALID_STATE_TRANSITION' });
    const errors: string[] = [];
    client.watch(uniqueId('none'), { onError: (e) => errors.push(e.code) });
    await eventually(() => errors.length > 0);
    expect(errors[0]).toBe('SESSION_NOT_FOUND');
    const deleted: unknown[] = [];
    client.watch(id, { onDeleted: (d) => deleted.push(d) });
    await sleep(300);
    await client.delete(id);
    await eventually(() => deleted.length === 1);
  });
});
