import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CommandPolicy } from './command-policy';
import { RedisModule } from '../redis/redis.module';

/** Credentials, the global AuthGuard (APP_GUARD) and the command policy of REST and sockets. */
@Module({
  imports: [RedisModule],
  providers: [
    AuthService,
    CommandPolicy,
    AuthFailureLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, CommandPolicy, AuthFailureLimiter],
})
export class AuthModule {}
