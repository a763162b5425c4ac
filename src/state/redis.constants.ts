/** Injection token of the ioredis client used by the request path. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
