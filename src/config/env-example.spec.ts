import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateEnv } from './env.validation';

/** .env.example must list every variable the service reads, with its real default. */
describe('.env.example', () => {
  const example = readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
  const listed = new Map(
    [...example.matchAll(/^([A-Z][A-Z0-9_]+)=(\S*)/gm)].map(
      (m) => [m[1], m[2]] as [string, string],
    ),
  );
  const defaults = validateEnv({}) as unknown as Record<string, unknown>;

  it('lists exactly the variables of the schema', () => {
    expect([...listed.keys()].sort()).toEqual(Object.keys(defaults).sort());
  });

  it('gives each its default', () => {
    for (const [name, value] of listed)
      expect(`${name}=${value}`).toBe(`${name}=${String(defaults[name])}`);
  });
});
