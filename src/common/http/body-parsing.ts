import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { DEPTH_MESSAGE, nestsDeeperThan } from '../pipes/json-inspection';

/**
 * Right after the JSON body parser: a body nested deeper than MAX_JSON_DEPTH is a 400 before
 * any guard, pipe or handler looks at it (class-transformer would overflow the stack on it).
 */
export function refuseDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  if (nestsDeeperThan(req.body)) next(DomainError.invalidField('body', DEPTH_MESSAGE));
  else next();
}

/**
 * A failure to read the request body (body-parser, raw-body, zlib) in the http-errors shape: a
 * client status, `expose`, a `type` (or only zlib's code, for a broken gzip stream).
 */
interface BodyReadError extends Error {
  status: number;
  expose: boolean;
  type?: string;
  code?: string;
  charset?: string;
  encoding?: string;
}

function isBodyReadError(e: unknown): e is BodyReadError {
  const { status, expose } = (e ?? {}) as Partial<BodyReadError>;
  return (
    e instanceof Error &&
    !(e instanceof HttpException) &&
    !(e instanceof DomainError) &&
    typeof expose === 'boolean' &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  );
}

/**
 * The error handler right after the body parser: every way a body can fail to decode (too
 * large, not JSON, a broken gzip stream, an unknown charset or encoding) becomes the contract's
 * 400 VALIDATION_ERROR on the field `body`, in words of its own (never the parser's).
 */
export function answerUnreadableBodies(
  err: unknown,
  _req: Request,
  _res: Response,
  next: NextFunction,
): void {
  next(isBodyReadError(err) ? DomainError.invalidField('body', bodyReadMessage(err)) : err);
}

function bodyReadMessage(e: BodyReadError): string {
  switch (e.type) {
    case 'entity.too.large':
      return 'request body is too large';
    case 'entity.parse.failed':
      return 'request body is not valid JSON';
    case 'charset.unsupported':
      return `charset ${JSON.stringify(e.charset ?? '')} is not supported`;
    case 'encoding.unsupported':
      return `content-encoding ${JSON.stringify(e.encoding ?? '')} is not supported`;
    case 'request.aborted':
      return 'request body was not received in full';
    case 'request.size.invalid':
      return 'request body does not match its content-length';
  }
  if (typeof e.code === 'string' && e.code.startsWith('Z_'))
    return 'request body could not be decompressed';
  return 'request body could not be read';
}
