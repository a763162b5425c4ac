import { DeadlineProcessor } from '../src/deadlines/deadline.processor';
import { AuditProcessor } from '../src/audit/audit.processor';
import { cleanRedis, startApp, sleep } from './support/e2e-app';
import { TcpProxy } from './support/tcp-proxy';
import { waitUntil } from './support/wait';
import request from 'supertest';
it('close after outage', async () => {
  const target = new URL(process.env.REDIS_URL as string);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
  target.port = String(await proxy.start());
  const app = await startApp({ REDIS_URL: target.toString() });
  await sleep(1000);
  await proxy.cut();
  await cleanRedis();
  await sleep(2000);
  await proxy.restore();
  await waitUntil(
    async () => (await request(app.getHttpServer()).get('/ready')).status,
    (s) => s === 200,
    10000,
    100,
  );
  await sleep(2000);
  for (const P of [DeadlineProcessor, AuditProcessor]) {
    const w = app.get(P).worker as any;
    const st = async () => ({
      bstatus: (await w.blockingConnection.client).status,
      status: (await w.client).status,
      waiting: w.waiting,
      running: w.running,
      blockUntil: w.blockUntil,
      limitUntil: w.limitUntil,
    });
    console.log(P.name, await st());
    const t = Date.now();
    await Promise.race([w.close(), sleep(5000)]);
    console.log(P.name, 'close', Date.now() - t, await st());
  }
  await proxy.cut();
  await Promise.race([app.close(), sleep(5000)]);
}, 60000);
