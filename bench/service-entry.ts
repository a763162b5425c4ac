/**
 * The breakdown's entry (bench/breakdown.ts): the built service, started by its own main.js,
 * without one part of the request pipeline, named by BENCH_WITHOUT. This file is the only
 * place that reads BENCH_WITHOUT, and nothing in src/ reads it: the production build has no
 * switch that drops a part. Parts assembled by configureApp (logging, metrics, security-headers,
 * cors) are left out through createApp's `without`; the DI-registered guards and pipes (guards,
 * validation) are made to pass everything through; without serialization, each route's first
 * answer is JSON.stringify-ed once and its text sent again for every later request (the same
 * bytes on the wire, no serializing).
 * Run as `node -r ts-node/register/transpile-only bench/service-entry.ts <dist>` (default: ./dist).
 */
import path from 'node:path';
import { Part, PARTS } from './lib/parts';

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
  } else if (part === 'serialization') {
    // Nest's own copy of Express, the one the app runs on.
    const nest = path.dirname(require.resolve('@nestjs/platform-express/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- by its resolved path
    const express = require(require.resolve('express', { paths: [nest] })) as Record<string, any>;
    const response = express.response as Record<string, any>;
    const texts = new Map<string, string>();
    response.json = function (this: any, body: unknown) {
      const key = String(this.req.route?.path ?? this.req.url);
      const text = texts.get(key) ?? JSON.stringify(body);
      texts.set(key, text);
      if (!this.get('Content-Type')) this.set('Content-Type', 'application/json');
      return this.send(text);
    };
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
