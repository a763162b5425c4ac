import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorCode, HTTP_STATUS_BY_CODE } from '../errors/error-codes';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const CODE_BY_STATUS: Record<number, ErrorCode | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED'> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

function isHealthReport(body: unknown): boolean {
  const status = (body as { status?: unknown } | null)?.status;
  return status === 'error' || status === 'shutting_down';
}

/**
 * One place that turns every failure into the contract's error body. Client mistakes keep their
 * code; anything unexpected is a 500 that says little, logs everything, and names the request.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { id?: string }>();
    const { status, body } = this.toResponse(exception, req);
    if (res.headersSent) return;
    const retryAfter = body.error.code === 'RATE_LIMITED' && body.error.details?.retry_after_s;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  }

  toResponse(
    exception: unknown,
    req?: { id?: string; method?: string; url?: string },
  ): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const body: ErrorBody = { error: { code: exception.code, message: exception.message } };
      if (exception.details) body.error.details = exception.details;
      return { status: HTTP_STATUS_BY_CODE[exception.code], body };
    }
    if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      // Terminus answers 503 with its own report: probes and operators read that shape.
      return { status: exception.getStatus(), body: exception.getResponse() as ErrorBody };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? 'VALIDATION_ERROR';
      return { status, body: { error: { code, message: exception.message } } };
    }
    const requestId = req?.id;
    this.logger.error(
      `Unhandled error on ${req?.method ?? '?'} ${req?.url ?? '?'} (request ${requestId ?? '-'})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    const body: ErrorBody = { error: { code: 'INTERNAL_ERROR', message: 'internal error' } };
    if (requestId) body.error.details = { request_id: requestId };
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body };
  }
}
