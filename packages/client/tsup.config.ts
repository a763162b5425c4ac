import { defineConfig } from 'tsup';

/**
 * The published builds: ESM and CommonJS with declarations for bundlers and Node 20
 * (socket.io-client stays a dependency), and one self-contained script for a browser page
 * (global `SyncKairos`). The server's clock rules are inlined from the repository's own code.
 */
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
    dts: true,
    target: 'es2020',
    platform: 'neutral',
    external: ['socket.io-client'],
    sourcemap: true,
    clean: true,
    tsconfig: 'tsconfig.build.json',
  },
  {
    entry: { 'synckairos-client': 'src/index.ts' },
    format: ['iife'],
    globalName: 'SyncKairos',
    target: 'es2020',
    platform: 'browser',
    noExternal: ['socket.io-client'],
    minify: true,
    sourcemap: true,
    tsconfig: 'tsconfig.build.json',
  },
]);
