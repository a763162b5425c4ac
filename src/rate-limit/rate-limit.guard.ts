import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Response } from 'express';
import { AuthenticatedRequest } from '../auth/auth.guard';
import { DomainError } from '../common/errors/domain-error';

/**
 * @nestjs/throttler, counted per client (its credentials when it has some, else its address)
 * and, for switch, per session. A refusal is 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthenticatedRequest;
    const principal = request.principal;
    if (principal && principal.subject !== 'anonymous') return Promise.resolve(principal.subject);
    return Promise.resolve(request.ip ?? 'unknown');
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    res.setHeader('Retry-After', String(retryAfter));
    throw new DomainError('RATE_LIMITED', `too many requests; retry in ${retryAfter} s`, {
      limit: detail.limit,
      retry_after_s: retryAfter,
    });
  }
}
