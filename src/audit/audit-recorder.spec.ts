import { Logger } from '@nestjs/common';
import { Queue, RateLimitError, UnrecoverableError } from 'bullmq';
import { Counter } from 'prom-client';
import { SessionStore } from '../state/session-store';
import { AuditEvent } from './audit.constants';
import { AuditRecorder, OUTAGE_PAUSE_MS, UNWRITABLE_REASON } from './audit-recorder';
import { AuditWriter, UnwritableEventsError } from './audit-writer';

const event = (session: string, version: number) =>
  ({ session_id: session, version }) as unknown as AuditEvent;

describe('AuditRecorder', () => {
  const write = jest.fn<Promise<void>, [AuditEvent[]]>();
  const rateLimit = jest.fn<Promise<void>, [number]>();
  const inc = jest.fn<void, [number?]>();
  const ackOutbox = jest.fn<Promise<void>, [string, number[]]>();
  const handOffOutbox = jest.fn<Promise<void>, [string, number]>();
  const recorder = new AuditRecorder(
    { write } as unknown as AuditWriter,
    { rateLimit } as unknown as Queue,
    { inc } as unknown as Counter,
    { ackOutbox, handOffOutbox } as unknown as SessionStore,
  );
  const outage = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const job = [event('a', 1), event('b', 7)];

  beforeEach(() => {
    jest.resetAllMocks();
    rateLimit.mockResolvedValue(undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  it('writes the job’s events, then marks each session’s versions written in its outbox', async () => {
    write.mockResolvedValue(undefined);
    ackOutbox.mockResolvedValue(undefined);
    await recorder.record([event('a', 2), ...job]);
    expect(write).toHaveBeenCalledWith([event('a', 2), ...job]);
    expect(ackOutbox.mock.calls.sort()).toEqual([
      ['a', [1, 2]],
      ['b', [7]],
    ]);
  });

  it('an outbox that cannot be trimmed does not fail the written job', async () => {
    write.mockResolvedValue(undefined);
    ackOutbox.mockRejectedValue(new Error('Redis away'));
    await expect(recorder.record(job)).resolves.toBeUndefined();
  });

  it('an outage pauses the queue and puts the job back without spending an attempt', async () => {
    write.mockRejectedValue(outage());
    await expect(recorder.record(job)).rejects.toBeInstanceOf(RateLimitError);
    expect(rateLimit).toHaveBeenCalledWith(OUTAGE_PAUSE_MS);
  });

  it('in an outage a job hands its events off to the outboxes and completes', async () => {
    write.mockRejectedValue(outage());
    handOffOutbox.mockResolvedValue(undefined);
    await expect(recorder.recordJob([event('a', 2), ...job])).resolves.toBeUndefined();
    expect(handOffOutbox.mock.calls.sort()).toEqual([
      ['a', 2],
      ['b', 7],
    ]);
    expect(rateLimit).toHaveBeenCalledWith(OUTAGE_PAUSE_MS);
  });

  it('a job whose outboxes cannot be marked waits for the database instead', async () => {
    write.mockRejectedValue(outage());
    handOffOutbox.mockRejectedValue(new Error('Redis away'));
    await expect(recorder.recordJob(job)).rejects.toBeInstanceOf(RateLimitError);
  });

  it('a job failing otherwise is not handed off', async () => {
    const err = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    write.mockRejectedValue(err);
    await expect(recorder.recordJob(job)).rejects.toBe(err);
    expect(handOffOutbox).not.toHaveBeenCalled();
  });

  it('data no retry can fix fails the job for good, counting only the events at fault', async () => {
    const cause = Object.assign(new Error('value too long'), { code: '22001' });
    write.mockRejectedValue(new UnwritableEventsError([job[1]], cause));
    const failure = recorder.record(job);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(`${UNWRITABLE_REASON} b v7: value too long`);
    expect(inc).toHaveBeenCalledWith(1);
  });

  it('anything else is thrown as it is, for BullMQ to retry with backoff', async () => {
    const err = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    write.mockRejectedValue(err);
    await expect(recorder.record(job)).rejects.toBe(err);
    expect(rateLimit).not.toHaveBeenCalled();
    expect(inc).not.toHaveBeenCalled();
  });
});
