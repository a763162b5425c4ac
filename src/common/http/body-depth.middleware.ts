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
