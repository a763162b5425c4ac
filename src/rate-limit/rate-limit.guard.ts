import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AuthenticatedRequest } from '../auth/auth.guard';
import { DomainError } from '../common/errors/domain-error';

/**
 * @nestjs/throttler, counted per client: its credentials when it has some, else its address.
 * A refusal is 429 RATE_LIMITED; the exception filter adds Retry-After. (The per-session limit
 * on switch is counted by the session store's compare-and-set, in the same round trip.)
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
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    throw DomainError.rateLimited(
      `too many requests; retry in ${retryAfter} s`,
      detail.limit,
      retryAfter,
    );
  }
}
