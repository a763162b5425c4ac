import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';

describe('rate limits', () => {
  const apps: INestApplication[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startApp(env);
    apps.push(app);
    return new Api(app.getHttpServer());
  };

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const suffix of ['', '-rl1', '-rl2', '-rl3'])
      await cleanRedis(`${process.env.REDIS_KEY_PREFIX}${suffix}`);
  });

  it('a client over the general limit gets 429 RATE_LIMITED with Retry-After, on every instance', async () => {
    const env = {
      RATE_LIMIT_PER_CLIENT: '5',
      RATE_LIMIT_WINDOW_MS: '5000',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-rl1`,
    };
    const [a, b] = [await start(env), await start(env)];
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await (i % 2 ? a : b).raw().get('/v1/time'));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = answers[5];
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await a.raw().get('/health')).status).toBe(200);
  });

  it('switch has a tighter limit per session, whoever sends them', async () => {
    const api = await start({
      RATE_LIMIT_SWITCH_PER_SESSION: '3',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-rl2`,
    });
    const [busy, calm] = [uniqueId('busy'), uniqueId('calm')];
    for (const id of [busy, calm]) {
      await api.create(chess(id)).expect(201);
      await api.command(id, 'start').expect(200);
    }
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await api.command(busy, 'switch'));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3].body.error.code).toBe('RATE_LIMITED');
    expect(Number(answers[3].headers['retry-after'])).toBe(1);
    await api.command(calm, 'switch').expect(200);
    // The refused switches changed nothing: created, started, three switches.
    expect((await api.get(busy).expect(200)).body.data.version).toBe(5);
    await sleep(1000);
    await api.command(busy, 'switch').expect(200);
  });

  it('switches sent at once: exactly the limit commit, the rest get 429, other commands go on', async () => {
    const api = await start({
      RATE_LIMIT_SWITCH_PER_SESSION: '4',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-rl3`,
    });
    const id = uniqueId('burst');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 4 === 3
          ? api.command(id, 'add-time', { participant_id: 'white', ms: 1000 })
          : api.command(id, 'switch'),
      ),
    );
    const statuses = answers.map((r) => r.status);
    const switches = statuses.filter((_, i) => i % 4 !== 3);
    const added = statuses.filter((_, i) => i % 4 === 3);
    expect(switches.filter((s) => s === 200)).toHaveLength(4);
    expect(switches.filter((s) => s === 429)).toHaveLength(5);
    expect(added).toEqual([200, 200, 200]);
    // Created, started, four switches, three additions: nothing refused was written.
    const final = (await api.get(id).expect(200)).body.data;
    expect(final.version).toBe(9);
    const turns = final.participants.map((p: { cycle_count: number }) => p.cycle_count);
    expect(turns.reduce((x: number, y: number) => x + y, 0)).toBe(4);
  });

  it('RATE_LIMIT_ENABLED=false turns the limits off', async () => {
    const api = await start({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_PER_CLIENT: '2',
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-rl3`,
    });
    for (let i = 0; i < 6; i++) await api.raw().get('/v1/time').expect(200);
  });
});
