/**
 * Every end-to-end worker gets its own Redis key prefix, so that parallel workers never see
 * each other's sessions and cleaning up only touches what this run wrote.
 */
const worker = process.env.JEST_WORKER_ID ?? '0';
process.env.NODE_ENV = 'test';
process.env.REDIS_KEY_PREFIX = `sk-test-${process.pid}-${worker}`;
process.env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
process.env.DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/synckairos_test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'warn';
