import { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { PUBLIC_ROUTE } from '../src/auth/auth.decorators';
import { COMMAND_KEY, SESSION_COMMANDS, SessionCommand } from '../src/auth/command.decorator';
import { chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { expressRoutes, NestRoute, nestRoutes } from './support/route-table';
import request from 'supertest';

const API_KEY = 'matrix-key-0123456789abcdef';
const SECRET = 'a-secret-of-at-least-thirty-two-chars!';

type Role =
  | 'none'
  | 'admin key'
  | 'wrong key'
  | 'full token'
  | 'scoped token'
  | 'scoped token, other session'
  | 'player token'
  | 'player token, other session'
  | 'expired token'
  | 'malformed claims';

/**
 * Who may run each command: the expectation written out, independently of CommandPolicy. A
 * command missing here, or a route that is neither @Public nor names a command, fails the test.
 */
const ALLOWED: Record<SessionCommand, Role[]> = {
  create: ['admin key', 'full token', 'scoped token'],
  read: ['admin key', 'full token', 'scoped token', 'player token'],
  read_events: ['admin key', 'full token', 'scoped token', 'player token'],
  read_webhook_deliveries: ['admin key', 'full token', 'scoped token'],
  watch: ['admin key', 'full token', 'scoped token', 'player token'],
  switch: ['admin key', 'full token', 'scoped token', 'player token'],
  start: ['admin key', 'full token', 'scoped token'],
  pause: ['admin key', 'full token', 'scoped token'],
  resume: ['admin key', 'full token', 'scoped token'],
  complete: ['admin key', 'full token', 'scoped token'],
  cancel: ['admin key', 'full token', 'scoped token'],
  add_time: ['admin key', 'full token', 'scoped token'],
  delete: ['admin key', 'full token', 'scoped token'],
};
const UNAUTHENTICATED: Role[] = ['none', 'wrong key', 'expired token', 'malformed claims'];

/** Generated from the route table Nest registered: every route × every role. */
describe('access for every route and role', () => {
  let keyApp: INestApplication;
  let jwtApp: INestApplication;
  let routes: NestRoute[];
  const jwt = new JwtService({ secret: SECRET });
  const mine = uniqueId('matrix');
  const theirs = uniqueId('matrix-other');
  const fresh = uniqueId('matrix-new');

  const credentials = (role: Role): Record<string, string> => {
    const bearer = (claims: Record<string, unknown>, expiresIn: string | number = '5m') => ({
      authorization: `Bearer ${jwt.sign(claims, { expiresIn: expiresIn as number })}`,
    });
    switch (role) {
      case 'none':
        return {};
      case 'admin key':
        return { 'x-api-key': API_KEY };
      case 'wrong key':
        return { 'x-api-key': 'not-the-key-0000000000' };
      case 'full token':
        return bearer({ sub: 'game-server' });
      case 'scoped token':
      case 'scoped token, other session':
        return bearer({ sub: 'table', sessions: [mine, fresh] });
      case 'player token':
      case 'player token, other session':
        return bearer({ sub: 'alice', sessions: [mine], participant_id: 'white' });
      case 'expired token':
        return bearer({ sub: 'late' }, -10);
      case 'malformed claims':
        return bearer({ sub: 'odd', participant_id: 12345 });
    }
  };
  const appFor = (role: Role) => (/key/.test(role) ? keyApp : jwtApp);
  const sessionFor = (role: Role) => (/other session/.test(role) ? theirs : mine);

  const expected = (route: NestRoute, role: Role): 'open' | 401 | 403 => {
    const reflector = new Reflector();
    if (reflector.getAllAndOverride(PUBLIC_ROUTE, [route.handler, route.controller])) return 'open';
    if (UNAUTHENTICATED.includes(role)) return 401;
    const command = reflector.get<SessionCommand | undefined>(COMMAND_KEY, route.handler);
    if (command === undefined) throw new Error(`${route.method} ${route.path} names no command`);
    if (!(command in ALLOWED)) throw new Error(`no expectation for the command ${command}`);
    const base = role.replace(', other session', '') as Role;
    // Every command acts on one session (its :id, the id a create names, a bulk start's one id).
    if (/other session/.test(role)) return 403;
    return ALLOWED[command].includes(base) ? 'open' : 403;
  };

  const call = (route: NestRoute, role: Role) => {
    const id = sessionFor(role);
    const path = route.path.replace(':id', id);
    const create = route.path === '/v1/sessions' && route.method === 'POST';
    const bulk = route.path === '/v1/sessions/start';
    const body = create
      ? chess(/other session/.test(role) ? uniqueId('not-mine') : uniqueId('unused'))
      : bulk
        ? { session_ids: [id] }
        : { ms: 1000 };
    if (create && role === 'scoped token') body.session_id = fresh;
    const req = request(appFor(role).getHttpServer())
      [route.method.toLowerCase() as 'get'](path)
      .set(credentials(role));
    return route.method === 'GET' || route.method === 'DELETE' ? req : req.send(body);
  };

  beforeAll(async () => {
    [keyApp, jwtApp] = await Promise.all([
      startApp({ AUTH_MODE: 'apikey', API_KEYS: API_KEY, RATE_LIMIT_ENABLED: 'false' }),
      startApp({ AUTH_MODE: 'jwt', JWT_SECRET: SECRET, RATE_LIMIT_ENABLED: 'false' }),
    ]);
    routes = nestRoutes(jwtApp);
    for (const id of [mine, theirs]) {
      await request(keyApp.getHttpServer())
        .post('/v1/sessions')
        .set('x-api-key', API_KEY)
        .send(chess(id))
        .expect(201);
    }
  });

  afterAll(async () => {
    await Promise.all([keyApp.close(), jwtApp.close()]);
    await cleanRedis();
  });

  it('the table holds every route Express serves (the docs and middleware bindings aside)', () => {
    const nest = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const missing = expressRoutes(jwtApp)
      .filter((r) => !/^\/(api-docs|asyncapi)/.test(r.path) && !r.path.includes('{*'))
      .filter((r) => !nest.has(`${r.method} ${r.path}`));
    expect(missing).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('every route is @Public or names a command with an expectation', () => {
    const reflector = new Reflector();
    const unnamed = routes.filter(
      (r) =>
        !reflector.getAllAndOverride(PUBLIC_ROUTE, [r.handler, r.controller]) &&
        !SESSION_COMMANDS.includes(reflector.get(COMMAND_KEY, r.handler)),
    );
    expect(unnamed.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it.each<Role>([
    'none',
    'admin key',
    'wrong key',
    'full token',
    'scoped token',
    'scoped token, other session',
    'player token',
    'player token, other session',
    'expired token',
    'malformed claims',
  ])('%s', async (role) => {
    const wrong: string[] = [];
    // Deleting goes last, so that the other routes still find the session.
    const ordered = [...routes].sort(
      (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
    );
    for (const route of ordered) {
      const want = expected(route, role);
      const res = await call(route, role);
      const got = res.status === 401 || res.status === 403 ? res.status : 'open';
      if (got !== want)
        wrong.push(`${route.method} ${route.path}: ${res.status}, expected ${want}`);
      if (typeof want === 'number') {
        expect(res.body.error.code).toBe(want === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the queue dashboard has a lock of its own, whatever bearer token comes', async () => {
    for (const role of ['none', 'admin key', 'full token'] as Role[]) {
      const res = await request(appFor(role).getHttpServer())
        .get('/admin/queues')
        .set(credentials(role));
      expect(res.status).toBe(401);
    }
  });
});
