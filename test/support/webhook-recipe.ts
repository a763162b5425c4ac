import { readFileSync } from 'node:fs';
import path from 'node:path';

export type Verify = (
  header: string,
  rawBody: string,
  secret: string,
  toleranceS?: number,
) => boolean;

/**
 * The signature check exactly as the README shows users (its `verifySignature` block), so that
 * the tests prove the documented recipe, not a copy of it.
 */
export function readmeVerifySignature(): Verify {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const block = /```js\n([\s\S]*?function verifySignature[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no verifySignature block');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('require', `${block[1]}\nreturn verifySignature;`)(require) as Verify;
}
