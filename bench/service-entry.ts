/**
 * The breakdown's entry (bench/breakdown.ts): the built service, started by its own main.js,
 * without one part of the request pipeline, named by BENCH_WITHOUT. This file is the only
 * place that reads BENCH_WITHOUT, and nothing in src/ reads it: the production build has no
 * switch that drops a part. Parts assembled by configureApp (logging, metrics, security-headers,
 * cors, serialization) are left out through createApp's `without`; the DI-registered guards and
 * pipes (guards, validation) are made to pass everything through.
 * Run as `node -r ts-node/register/transpile-only bench/service-entry.ts <dist>` (default: ./dist).
 */
import path from 'node:path';

export const PARTS = [
  'logging',
  'metrics',
  'security-headers',
  'cors',
  'guards',
  'validation',
  'serialization',
] as const;
export type Part = (typeof PARTS)[number];

const dist = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's modules, by path
const load = (file: string) => require(path.join(dist, 'src', file)) as Record<string, any>;

function leaveOut(part: Part): void {
  if (part === 'guards') {
    load('auth/auth.guard').AuthGuard.prototype.canActivate = () => true;
    load('rate-limit/rate-limit.guard').RateLimitGuard.prototype.canActivate = () => true;
  } else if (part === 'validation') {
    load('common/pipes/body-validation.pipe').BodyValidationPipe.prototype.transform = (
      v: unknown,
    ) => v;
    load('common/pipes/session-id.pipe').SessionIdPipe.prototype.transform = (v: unknown) => v;
  } else {
    const setup = load('app.setup');
    const createApp = setup.createApp as (env: object, without: Set<string>) => Promise<unknown>;
    setup.createApp = (env: object = {}) => createApp(env, new Set([part]));
  }
}

const part = process.env.BENCH_WITHOUT as Part | undefined;
if (part) {
  if (!PARTS.includes(part)) throw new Error(`BENCH_WITHOUT: one of ${PARTS.join(', ')}`);
  leaveOut(part);
}
load('main');
