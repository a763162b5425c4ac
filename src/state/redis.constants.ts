/** Injection token of the ioredis client used by the request path. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * Injection token of the fail-fast ioredis client on which the request path adds queue jobs.
 * A connection of its own: BullMQ defines its ~40 scripts on the client it is given, and
 * ioredis copies every script of a client into each pipeline, which the state client (auto-
 * pipelined) builds on every tick.
 */
export const PRODUCER_REDIS_CLIENT = Symbol('PRODUCER_REDIS_CLIENT');
