import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureChromium } = require('../../scripts/ensure-chromium.js') as {
  ensureChromium: () => string;
};

/** Debian's Chromium, headless, on a fresh profile that is deleted with the context. */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const executablePath = ensureChromium();
  const profile = mkdtempSync(path.join(tmpdir(), 'synckairos-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The demo serves the SDK's browser bundle: build it when this checkout has not yet. */
export function ensureSdkBundle(): void {
  try {
    require.resolve('@synckairos/client/browser');
    return;
  } catch {
    // not built yet
  }
  const res = spawnSync('npm', ['run', 'build', '-w', '@synckairos/client'], {
    cwd: path.join(__dirname, '../..'),
    stdio: 'ignore',
  });
  if (res.status !== 0) throw new Error('npm run build -w @synckairos/client failed');
}
