import { ConfigService } from '@nestjs/config';
import pino, { Logger } from 'pino';
import { Env } from '../../config/env.validation';

/** The process's pino instance: the app's logger and the request log write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** pino-pretty is a development dependency: without it, development logs stay JSON. */
function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** JSON in production, pretty in development; credentials redacted wherever they appear. */
export function createRootLogger(config: ConfigService<Env, true>): Logger {
  const pretty = config.get('NODE_ENV', { infer: true }) === 'development' && prettyAvailable();
  return pino({
    level: config.get('LOG_LEVEL', { infer: true }),
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    transport: pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
  });
}
