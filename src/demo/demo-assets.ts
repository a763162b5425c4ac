import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Content-Security-Policy of the demo page: its own scripts and styles, its own origin's API and socket. */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The page's files beside this module (copied to dist by the Nest build). */
const PAGE_DIR = join(__dirname, 'public');

/** The files the demo serves, by the name in its URL. */
export function demoFiles(): Record<string, string | null> {
  return {
    'index.html': join(PAGE_DIR, 'index.html'),
    'demo.js': join(PAGE_DIR, 'demo.js'),
    'demo.css': join(PAGE_DIR, 'demo.css'),
    'synckairos-client.js': sdkBrowserBundle(),
  };
}

/** The SDK's browser bundle, built by `npm run build` into packages/client/dist. */
function sdkBrowserBundle(): string | null {
  try {
    const file = require.resolve('@synckairos/client/browser');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}
