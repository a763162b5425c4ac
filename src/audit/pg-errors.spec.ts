import { classifyFailure } from './pg-errors';

describe('classifyFailure', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'outage'],
    [{ message: 'Connection terminated unexpectedly' }, 'outage'],
    [{ message: 'timeout exceeded when trying to connect' }, 'outage'],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'outage'],
    [{ code: '08006', message: 'connection failure' }, 'outage'],
    [{ code: '53300', message: 'too many connections' }, 'outage'],
    [{ driverError: { code: '23502' }, message: 'null value in column' }, 'bad-data'],
    [{ driverError: { code: '22P02' }, message: 'invalid input syntax' }, 'bad-data'],
    [{ driverError: { code: '42P01' }, message: 'relation "sync_events" does not exist' }, 'retry'],
    [{ driverError: { code: '40P01' }, message: 'deadlock detected' }, 'retry'],
    [new Error('something else'), 'retry'],
    [undefined, 'retry'],
  ])('%o is %s', (err, kind) => {
    expect(classifyFailure(err)).toBe(kind);
  });
});
