import { NestFactory } from '@nestjs/core';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { validateEnv } from '../src/config/env.validation';
import { LIVE_FILE, READY_FILE } from '../src/health/worker-heartbeat';
import { WorkerModule } from '../src/worker.module';
import { Api } from './support/api';
import { cleanRedis, startApp } from './support/e2e-app';
import { waitUntil } from './support/wait';

/** The deployment files must agree with the service they deploy: paths, ports, files, names. */
const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type K8s = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: any;
  data?: Record<string, string>;
};
const manifests: K8s[] = readdirSync(path.join(ROOT, 'deploy/k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as K8s));
const find = (kind: string, name: string) => {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
};
const defaults = validateEnv({});

describe('Kubernetes manifests', () => {
  const api = find('Deployment', 'synckairos-api');
  const container = api.spec.template.spec.containers[0];

  it('probe the API on its real port and paths, and those paths answer as probes expect', async () => {
    const port = container.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(defaults.PORT);
    expect(find('ConfigMap', 'synckairos').data?.PORT).toBe(String(defaults.PORT));
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    const app = await startApp();
    try {
      const http = new Api(app.getHttpServer());
      for (const probe of [
        container.livenessProbe,
        container.readinessProbe,
        container.startupProbe,
      ]) {
        expect((await http.raw().get(probe.httpGet.path)).status).toBe(200);
      }
    } finally {
      await app.close();
      await cleanRedis();
    }
  });

  it('the Service, the PodDisruptionBudget and the HPA point at the API pods', () => {
    const labels = api.spec.template.metadata.labels;
    const service = find('Service', 'synckairos');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(service.spec.sessionAffinity).toBeUndefined();
    expect(find('PodDisruptionBudget', 'synckairos-api').spec.selector.matchLabels).toEqual(labels);
    expect(api.spec.selector.matchLabels).toEqual(labels);
    expect(find('HorizontalPodAutoscaler', 'synckairos-api').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: 'synckairos-api',
    });
  });

  it('the worker runs the worker entry point and is probed on the heartbeat files it writes', () => {
    const worker = find('Deployment', 'synckairos-worker').spec.template.spec.containers[0];
    expect(worker.command).toEqual(['node', 'dist/src/worker.js']);
    expect(existsSync(path.join(ROOT, 'src/worker.ts'))).toBe(true);
    const dir = find('ConfigMap', 'synckairos').data?.WORKER_HEARTBEAT_DIR;
    expect(worker.livenessProbe.exec.command.join(' ')).toContain(`${dir}/${LIVE_FILE}`);
    expect(worker.readinessProbe.exec.command.join(' ')).toContain(`${dir}/${READY_FILE}`);
    expect(worker.volumeMounts).toContainEqual({ name: 'tmp', mountPath: dir });
    const migrate = find('Job', 'synckairos-migrate').spec.template.spec.containers[0];
    expect(migrate.command).toContain('dist/src/config/typeorm.data-source.js');
    expect(existsSync(path.join(ROOT, 'src/config/typeorm.data-source.ts'))).toBe(true);
  });

  it('the build puts src/ under dist/src/, where the manifests and the image look', () => {
    const build = JSON.parse(read('tsconfig.build.json'));
    expect(build.compilerOptions).toMatchObject({ rootDir: './', outDir: './dist' });
    expect(JSON.parse(read('nest-cli.json')).entryFile).toBe('src/main');
  });
});

describe('the worker heartbeat', () => {
  it('touches the live and ready files while Redis answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sk-heartbeat-'));
    const worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({ WORKER_HEARTBEAT_DIR: dir }),
      {
        logger: ['error'],
      },
    );
    try {
      await worker.init();
      await waitUntil(
        () => Promise.resolve(existsSync(path.join(dir, READY_FILE))),
        (ok) => ok,
      );
      expect(Date.now() - statSync(path.join(dir, LIVE_FILE)).mtimeMs).toBeLessThan(10_000);
    } finally {
      await worker.close();
      await cleanRedis();
    }
  });
});

describe('Docker', () => {
  it('builds in stages and runs production dependencies as an unprivileged user', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/health/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  });

  it('Compose brings up Redis (AOF, noeviction), PostgreSQL, migrations, two APIs, a worker and a proxy', () => {
    const compose = parse(read('docker-compose.yml'));
    const services = compose.services;
    expect(Object.keys(services).sort()).toEqual([
      'api-1',
      'api-2',
      'migrate',
      'postgres',
      'proxy',
      'redis',
      'worker',
    ]);
    expect(services.redis.command.join(' ')).toMatch(
      /--appendonly yes.*--maxmemory-policy noeviction/,
    );
    expect(services.worker.command).toEqual(['node', 'dist/src/worker.js']);
    expect(services.worker.healthcheck.test.join(' ')).toContain(READY_FILE);
    expect(services['api-1'].depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(services.proxy.ports).toContain('3000:80');
    const nginx = read('deploy/nginx.conf');
    for (const api of ['api-1', 'api-2'])
      expect(nginx).toContain(`server ${api}:${defaults.PORT};`);
    expect(nginx).toMatch(/location \/socket\.io\/[\s\S]*Upgrade/);
    // npm start / npm test reach Redis and PostgreSQL on their default URLs through Compose
    expect(services.redis.ports).toContain('127.0.0.1:6379:6379');
    expect(services.postgres.ports).toContain('127.0.0.1:5432:5432');
  });
});

describe('the lock file', () => {
  type Lock = { packages: Record<string, { version: string; optional?: boolean; os?: string[] }> };
  const lock = JSON.parse(read('package-lock.json')) as Lock;
  const installed = Object.entries(lock.packages).filter(([location]) => location !== '');

  it('holds one major line of the Nest framework packages (11.x), never a mix with 12', () => {
    const framework = installed.filter(([location]) =>
      /node_modules\/@nestjs\/(common|core|platform-[a-z.-]+|websockets|testing|microservices|bull-shared|bullmq|typeorm|terminus|swagger|jwt)$/.test(
        location,
      ),
    );
    expect(framework.length).toBeGreaterThan(10);
    const majors = new Set(framework.map(([, pkg]) => pkg.version.split('.')[0]));
    expect([...majors]).toEqual(['11']);
  });

  it('lists the other platforms of native optional packages, so that `npm ci` accepts it anywhere', () => {
    const platforms = installed.filter(([location]) =>
      /msgpackr-extract-|resolver-binding-/.test(location),
    );
    const systems = new Set(platforms.flatMap(([, pkg]) => pkg.os ?? []));
    expect([...systems].sort()).toEqual(expect.arrayContaining(['darwin', 'linux', 'win32']));
  });
});
