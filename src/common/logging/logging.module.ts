import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { Env } from '../../config/env.validation';
import { createRootLogger, ROOT_LOGGER } from './root-logger';

/** The root pino instance, shared by nestjs-pino's Logger and the request log (request-log.ts). */
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => createRootLogger(config),
    },
  ],
  exports: [ROOT_LOGGER],
})
class RootLoggerModule {}

/**
 * Structured logs: nestjs-pino's Logger for the application, on the root pino instance. Requests
 * are logged by the request log (request-log.ts, installed by app.setup.ts), not by pino-http:
 * no child logger and no async context per request (`forRoutes: []` mounts no middleware).
 */
@Module({
  imports: [
    RootLoggerModule,
    LoggerModule.forRootAsync({
      imports: [RootLoggerModule],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
  ],
  exports: [RootLoggerModule],
})
export class LoggingModule {}
