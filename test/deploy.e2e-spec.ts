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
  metadata: { name: string; generateName?: string; labels?: Record<string, string> };
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
/** Compose's `${NAME:-default}` as Compose reads it with NAME unset. */
const interpolated = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
  );
const migrateJob = () => {
  const jobs = manifests.filter((m) => m.kind === 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
/** Every pod the manifests run: the Deployments' and the Job's. */
const podSpecs = () =>
  manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
    .map((m) => ({
      name: m.metadata.name,
      spec: m.spec.template.spec,
      labels: m.spec.template.metadata?.labels,
    }));

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
    const migrate = migrateJob().spec.template.spec.containers[0];
    expect(migrate.command).toContain('dist/src/config/typeorm.data-source.js');
    expect(existsSync(path.join(ROOT, 'src/config/typeorm.data-source.ts'))).toBe(true);
  });

  it('every pod meets Pod Security "restricted"', () => {
    const pods = podSpecs();
    expect(pods.map((p) => p.name).sort()).toEqual(
      ['synckairos-api', migrateJob().metadata.name, 'synckairos-worker'].sort(),
    );
    for (const { name, spec } of pods) {
      expect([name, spec.securityContext?.seccompProfile?.type]).toEqual([name, 'RuntimeDefault']);
      expect([name, spec.securityContext?.runAsNonRoot]).toEqual([name, true]);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const volume of spec.volumes ?? [])
        expect(Object.keys(volume).sort()).toEqual(['emptyDir', 'name']);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        expect([name, c.name, sc.allowPrivilegeEscalation]).toEqual([name, c.name, false]);
        expect([name, c.name, sc.capabilities?.drop]).toEqual([name, c.name, ['ALL']]);
        expect(sc.capabilities?.add ?? []).toEqual([]);
        expect(sc.privileged ?? false).toBe(false);
        expect(sc.runAsNonRoot ?? spec.securityContext.runAsNonRoot).toBe(true);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.seccompProfile?.type ?? 'RuntimeDefault').toBe('RuntimeDefault');
      }
    }
  });

  it('keeps the internal endpoints off the public port and the public Service', () => {
    const config = find('ConfigMap', 'synckairos').data ?? {};
    const internalPort = container.ports.find((p: { name: string }) => p.name === 'internal');
    expect(Number(config.INTERNAL_PORT)).toBe(internalPort.containerPort);
    // The ConfigMap and the example Secret together make a configuration production accepts.
    const secret = find('Secret', 'synckairos') as K8s & { stringData: Record<string, string> };
    expect(validateEnv({ ...config, ...secret.stringData }).INTERNAL_PORT).toBe(
      internalPort.containerPort,
    );
    const annotations = api.spec.template.metadata.annotations;
    expect(annotations['prometheus.io/port']).toBe(config.INTERNAL_PORT);
    expect(
      find('Service', 'synckairos').spec.ports.map((p: { targetPort: string }) => p.targetPort),
    ).toEqual(['http']);
    expect(find('Service', 'synckairos-internal').spec.ports[0].targetPort).toBe('internal');
    // The probes ask the public port: /health and /ready are not internal endpoints.
    expect(container.readinessProbe.httpGet.port).toBe('http');
  });

  it('NetworkPolicies: the public port for all, the internal one for monitoring, workers closed', () => {
    const apiPolicy = find('NetworkPolicy', 'synckairos-api');
    expect(apiPolicy.spec.podSelector.matchLabels).toEqual(api.spec.template.metadata.labels);
    expect(apiPolicy.spec.policyTypes).toEqual(['Ingress']);
    const rules = apiPolicy.spec.ingress as { from?: unknown[]; ports: { port: string }[] }[];
    const forPort = (port: string) => rules.filter((r) => r.ports.some((p) => p.port === port));
    expect(forPort('http')).toEqual([expect.not.objectContaining({ from: expect.anything() })]);
    const internal = forPort('internal');
    expect(internal).toHaveLength(1);
    expect(internal[0].from?.length).toBeGreaterThan(0);
    expect(rules.flatMap((r) => r.ports.map((p) => p.port)).sort()).toEqual(['http', 'internal']);
    for (const { name, labels } of podSpecs().filter((p) => p.name !== 'synckairos-api')) {
      const policy = manifests.find(
        (m) =>
          m.kind === 'NetworkPolicy' &&
          JSON.stringify(m.spec.podSelector.matchLabels) === JSON.stringify(labels),
      );
      expect([name, policy?.spec.ingress]).toEqual([name, []]);
    }
  });

  it('the cluster switch, merged into the ConfigMap, makes a configuration on a Redis Cluster', () => {
    const patch = parse(read('deploy/k8s/cluster/configmap-patch.yaml')) as K8s;
    const config = find('ConfigMap', 'synckairos');
    expect([patch.kind, patch.metadata.name]).toEqual([config.kind, config.metadata.name]);
    const secret = find('Secret', 'synckairos') as K8s & { stringData: Record<string, string> };
    const env = validateEnv({ ...config.data, ...patch.data, ...secret.stringData });
    expect(env.REDIS_CLUSTER_NODES.split(',').length).toBeGreaterThanOrEqual(3);
    expect(env.SOCKET_ADAPTER).toBe('sharded');
    // The API and the worker read the ConfigMap whole: both follow the switch.
    for (const name of ['synckairos-api', 'synckairos-worker'])
      expect(find('Deployment', name).spec.template.spec.containers[0].envFrom).toContainEqual({
        configMapRef: { name: 'synckairos' },
      });
  });

  it('the migration Job can be applied again for a new image, and cleans up after itself', () => {
    const job = migrateJob();
    const image = job.spec.template.spec.containers[0].image as string;
    const version = image.split(':')[1];
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const named =
      job.metadata.generateName !== undefined ||
      job.metadata.name.endsWith(version.replace(/\./g, '-'));
    expect(named).toBe(true);
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    for (const m of manifests.filter((x) => x.kind === 'Deployment'))
      expect(m.spec.template.spec.containers[0].image).toBe(image);
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
    const compose = parse(read('docker-compose.yml'), { merge: true });
    const services = compose.services;
    const byDefault = Object.keys(services).filter((name) => !services[name].profiles);
    expect(byDefault.sort()).toEqual([
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
    // The internal endpoints never go through the proxy; on this machine only, if at all.
    const env = services['api-1'].environment;
    expect(Number(env.INTERNAL_PORT)).toBeGreaterThan(0);
    expect(env.INTERNAL_PORT).not.toBe(env.PORT);
    expect(nginx).not.toContain(`:${env.INTERNAL_PORT}`);
    for (const name of ['api-1', 'api-2'])
      for (const port of services[name].ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(env.AUTH_MODE).toBeDefined();
    // npm start / npm test reach Redis and PostgreSQL on their default URLs through Compose
    expect(services.redis.ports).toContain('127.0.0.1:6379:6379');
    expect(services.postgres.ports).toContain('127.0.0.1:5432:5432');
  });

  it('the cluster profile runs the same service on six nodes joined 3 + 3, behind the same proxy config', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    const services = compose.services;
    const nodes = Object.keys(services).filter((name) => name.startsWith('redis-node-'));
    expect(nodes).toHaveLength(6);
    const addresses = nodes.map((name) => {
      expect(services[name].profiles).toEqual(['cluster']);
      expect(services[name].command.join(' ')).toMatch(
        /--cluster-enabled yes.*--appendonly yes.*--maxmemory-policy noeviction/,
      );
      return services[name].networks.cluster.ipv4_address as string;
    });
    const create = services['redis-cluster-create'].command.join(' ');
    expect(create).toContain(
      `--cluster create ${addresses.map((a) => `${a}:6379`).join(' ')} --cluster-replicas 1`,
    );
    for (const name of nodes)
      expect(services['redis-cluster-create'].depends_on[name]).toBeDefined();
    const nginx = read('deploy/nginx.conf');
    for (const [name, alias] of [
      ['api-cluster-1', 'api-1'],
      ['api-cluster-2', 'api-2'],
    ]) {
      const api = services[name];
      expect(api.networks.cluster.aliases).toEqual([alias]);
      expect(nginx).toContain(`server ${alias}:${defaults.PORT};`);
      expect(api.depends_on['redis-cluster-create'].condition).toBe(
        'service_completed_successfully',
      );
      const env = validateEnv(interpolated(api.environment));
      expect(env.SOCKET_ADAPTER).toBe('sharded');
      for (const seed of env.REDIS_CLUSTER_NODES.split(','))
        expect(nodes).toContain(seed.split(':')[0]);
    }
    expect(services['worker-cluster'].environment.REDIS_CLUSTER_NODES).toBe(
      services['api-cluster-1'].environment.REDIS_CLUSTER_NODES,
    );
    expect(services['proxy-cluster'].networks).toEqual(['cluster']);
    expect(services.postgres.networks).toContain('cluster');
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
