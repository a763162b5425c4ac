import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import basicAuth from 'express-basic-auth';
import { AUDIT_QUEUE } from '../audit/audit.constants';
import { AuditModule } from '../audit/audit.module';
import { Env } from '../config/env.validation';
import { DEADLINES_QUEUE } from '../deadlines/deadline.constants';
import { DeadlinesModule } from '../deadlines/deadlines.module';

export const ADMIN_ROUTE = '/admin/queues';

/**
 * The queue dashboard (bull-board) at /admin/queues, behind basic auth with ADMIN_USER and
 * ADMIN_PASSWORD. Without a password nobody gets in.
 */
@Module({
  imports: [
    AuditModule,
    DeadlinesModule,
    BullBoardModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const password = config.get('ADMIN_PASSWORD', { infer: true });
        if (!password)
          new Logger('AdminModule').warn(`ADMIN_PASSWORD is not set: ${ADMIN_ROUTE} is closed`);
        return {
          route: ADMIN_ROUTE,
          adapter: ExpressAdapter,
          middleware: basicAuth({
            authorizer: (user: string, pass: string) =>
              password !== '' &&
              basicAuth.safeCompare(user, config.get('ADMIN_USER', { infer: true })) &&
              basicAuth.safeCompare(pass, password),
            challenge: true,
            realm: 'SyncKairos queues',
          }),
        };
      },
    }),
    BullBoardModule.forFeature(
      { name: AUDIT_QUEUE, adapter: BullMQAdapter },
      { name: DEADLINES_QUEUE, adapter: BullMQAdapter },
    ),
  ],
})
export class AdminModule {}
