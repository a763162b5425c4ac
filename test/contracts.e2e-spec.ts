import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Parser } from '@asyncapi/parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import request from 'supertest';
import ts from 'typescript';
import { cleanRedis, startApp } from './support/e2e-app';

/**
 * The published contracts are documents that tools accept: a generator turns /api-docs.json
 * into types that a few calls type-check against, a linter finds no invalid example, and the
 * AsyncAPI parser accepts /asyncapi.json.
 */
describe('contracts a front end can generate from', () => {
  let app: INestApplication;
  let openapi: any;
  let dir: string;

  beforeAll(async () => {
    app = await startApp();
    openapi = (await request(app.getHttpServer()).get('/api-docs.json').expect(200)).body;
    dir = mkdtempSync(path.join(tmpdir(), 'synckairos-contracts-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app.close();
    await cleanRedis();
  });

  it('OpenAPI: lints clean (valid examples, servers, unique readable operation ids)', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        // the probes (/health, /ready, /metrics) are documented by their modules, without summaries
        'operation-summary': 'off',
        'no-invalid-schema-examples': 'error',
        'no-invalid-media-type-examples': 'error',
        'no-empty-servers': 'error',
        'operation-operationId': 'error',
        'operation-operationId-unique': 'error',
        'operation-operationId-url-safe': 'error',
        'security-defined': 'error',
      },
    });
    const problems = await lintFromString({
      source: JSON.stringify(openapi),
      absoluteRef: '/api-docs.json',
      config,
    });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    const ids = Object.values(openapi.paths).flatMap((item: any) =>
      Object.values(item).map((op: any) => op.operationId),
    );
    expect(ids).toEqual(expect.arrayContaining(['createSession', 'switchTurn', 'getServerTime']));
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
  });

  it('OpenAPI: nullable fields carry their real type, integers are integers', () => {
    const state = openapi.components.schemas.SessionStateDto.properties;
    expect(state.time_remaining_ms).toMatchObject({ type: 'integer', nullable: true });
    expect(state.active_participant_id).toMatchObject({ type: 'string', nullable: true });
    expect(state.cycle_started_at).toMatchObject({
      type: 'string',
      format: 'date-time',
      nullable: true,
    });
    expect(state.version.type).toBe('integer');
    const loose: string[] = [];
    const visit = (node: any, at: string) => {
      if (node === null || typeof node !== 'object') return;
      if (node.type === 'number') loose.push(`${at}: number`);
      if (
        node.type === 'object' &&
        node.nullable &&
        !node.properties &&
        !node.additionalProperties
      ) {
        loose.push(`${at}: object`);
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'example') visit(v, `${at}/${k}`);
    };
    visit(openapi, '#');
    expect(loose).toEqual([]);
  });

  it('OpenAPI: every copy shows a fresh example id (a deleted id stays taken)', async () => {
    const again = (await request(app.getHttpServer()).get('/api-docs.json').expect(200)).body;
    const example = (doc: any) =>
      doc.components.schemas.CreateSessionDto.properties.session_id.example;
    expect(example(openapi)).toMatch(/^game-[a-z0-9]+$/);
    expect(example(again)).not.toBe(example(openapi));
  });

  it('OpenAPI: openapi-typescript generates a client whose calls type-check', () => {
    const spec = path.join(dir, 'api-docs.json');
    writeFileSync(spec, JSON.stringify(openapi));
    const cli = path.join(__dirname, '../node_modules/openapi-typescript/bin/cli.js');
    const generated = spawnSync(process.execPath, [cli, spec, '-o', path.join(dir, 'api.d.ts')], {
      encoding: 'utf8',
    });
    expect(generated.status).toBe(0);
    writeFileSync(
      path.join(dir, 'calls.ts'),
      `import type { components, operations, paths } from './api';
type State = components['schemas']['SessionStateDto'];
type Create = paths['/v1/sessions']['post']['requestBody']['content']['application/json'];
type Created = operations['createSession']['responses'][201]['content']['application/json'];
type Switch = NonNullable<operations['switchTurn']['requestBody']>['content']['application/json'];

declare function call<T>(path: string, body?: unknown): Promise<T>;

export async function play(): Promise<number | null> {
  const body: Create = {
    session_id: 'game-1',
    sync_mode: 'per_participant',
    total_time_ms: 600000,
    participants: [{ participant_id: 'white', total_time_ms: 300000 }],
  };
  const created = await call<Created>('/v1/sessions', body);
  const state: State = created.data;
  const who: string | null = state.active_participant_id;
  const left: number | null = state.time_remaining_ms;
  const since: string | null = state.cycle_started_at;
  const turn: Switch = { current_participant_id: who ?? 'white', expected_version: state.version };
  await call('/v1/sessions/game-1/switch', turn);
  // @ts-expect-error a mode the API does not have
  const wrong: Create = { ...body, sync_mode: 'chess' };
  // @ts-expect-error the turn marker is a string or null, not a number
  const notANumber: number = state.active_participant_id;
  // @ts-expect-error the time left may be null
  const neverNull: number = state.time_remaining_ms;
  void [wrong, notANumber, neverNull, since];
  return left;
}
`,
    );
    const program = ts.createProgram([path.join(dir, 'calls.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      lib: ['lib.es2022.d.ts'],
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('AsyncAPI: /asyncapi.json describes every Socket.IO event and the parser accepts it', async () => {
    const res = await request(app.getHttpServer()).get('/asyncapi.json').expect(200);
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(res.body));
    const errors = diagnostics
      .filter((d) => Number(d.severity) === 0) // Spectral's DiagnosticSeverity.Error
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
    expect(errors).toEqual([]);
    expect(document).toBeDefined();
    const names = document!
      .messages()
      .all()
      .map((m) => m.name());
    expect(names).toEqual(
      expect.arrayContaining([
        'session:state',
        'session:timeout',
        'session:deleted',
        'session:error',
        'server:shutdown',
        'time:sync',
        'session:join',
        'session:leave',
        'session:switch',
      ]),
    );
    const join = document!.operations().get('sessionJoin');
    expect(join?.action()).toBe('send');
    expect(
      join
        ?.reply()
        ?.messages()
        .all()
        .map((m) => m.name()),
    ).toEqual(['session:join acknowledgement']);
    const state = res.body.components.schemas.SessionStatePayload;
    expect(state.properties.state).toEqual({ $ref: '#/components/schemas/SessionStateDto' });
    expect(res.body.components.schemas.SessionStateDto.properties.time_remaining_ms.type).toEqual([
      'integer',
      'null',
    ]);
  });
});
