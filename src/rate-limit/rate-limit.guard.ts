import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AuthenticatedRequest } from '../auth/auth.guard';
import { DomainError } from '../common/errors/domain-error';

/**
 * @nestjs/throttler, counted per credential: an API key, a token's `sub`, or a hash of the
 * token itself when it has none (AuthService names each); without credentials, the address.
 * A refusal is 429 RATE_LIMITED; the exception filter adds Retry-After. (The per-session limit on
 * switch is counted by the session store's compare-and-set, in the same round trip.) Socket
 * events are not counted here: each socket has quotas of its own, kept in process (SocketQuota).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthenticatedRequest;
    const principal = request.principal;
    if (principal && principal.subject !== 'anonymous') return Promise.resolve(principal.subject);
    return Promise.resolve(`ip:${request.ip ?? 'unknown'}`);
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
