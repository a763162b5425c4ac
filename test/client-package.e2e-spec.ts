import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ensureSdkBundle } from './support/browser';

const ROOT = path.join(__dirname, '..');

/** The built package as a consumer gets it: ESM, CommonJS and self-contained declarations. */
describe('@synckairos/client as built', () => {
  let dir: string;
  beforeAll(() => {
    ensureSdkBundle();
    dir = mkdtempSync(path.join(ROOT, 'node_modules/.synckairos-consumer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads as CommonJS and as ESM in Node 20', () => {
    const probe = (code: string, type: 'commonjs' | 'module') =>
      execFileSync(process.execPath, ['--input-type', type, '-e', code], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim();
    const use = `const c = new SyncKairosClient({ url: 'http://127.0.0.1:9' });
      process.stdout.write(String(typeof c.now() === 'number' && c.offset.error_ms === Infinity)); c.close();`;
    expect(
      probe(`const { SyncKairosClient } = require('@synckairos/client'); ${use}`, 'commonjs'),
    ).toBe('true');
    expect(probe(`import { SyncKairosClient } from '@synckairos/client'; ${use}`, 'module')).toBe(
      'true',
    );
  });

  it('ships declarations that need nothing outside the package, and type-check a consumer', () => {
    const dts = readFileSync(path.join(ROOT, 'packages/client/dist/index.d.ts'), 'utf8');
    expect(dts).not.toMatch(/from ['"]\.\.?\//);
    const consumer = path.join(dir, 'consumer.mts');
    writeFileSync(
      consumer,
      `import { SyncKairosClient, type SessionState, type ClockOffset } from '@synckairos/client';
const client = new SyncKairosClient({ url: 'http://localhost:3000' });
const w = client.watch('game-1', { onState: (s: SessionState) => s.version });
const left: number | null = w.remaining('white');
const offset: ClockOffset = client.offset;
const started: Promise<SessionState> = client.start('game-1');
// @ts-expect-error the id is a string
client.watch(42);
void [left, offset, started];
`,
    );
    const program = ts.createProgram([consumer], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
