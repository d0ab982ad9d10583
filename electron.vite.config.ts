import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './main/security';

// Both carriers send the CSP as a header; the built page carries it too (defence in depth). Not in
// dev, where React's refresh preamble is an inline script. frame-ancestors is header-only.
const cspMeta = (): Plugin => ({
  name: 'lance-explorer-csp-meta',
  apply: 'build',
  transformIndexHtml: (html) =>
    html.replace(
      '<head>',
      `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ')}" />`,
    ),
});

// The worker threads (part writer, label parser) are plain CommonJS files read at run time (part-writer.ts): ship it
// beside the main bundle, where `new URL('./part-writer.worker.cjs', import.meta.url)` finds it.
const partWriterWorker = (): Plugin => ({
  name: 'lance-explorer-part-writer-worker',
  apply: 'build',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'part-writer.worker.cjs', source: readFileSync(resolve(__dirname, 'main/services/hub/part-writer.worker.cjs'), 'utf8') });
    // The label file parser's thread (writes/label-files.ts), found the same way.
    this.emitFile({ type: 'asset', fileName: 'label-parse.worker.cjs', source: readFileSync(resolve(__dirname, 'main/services/writes/label-parse.worker.cjs'), 'utf8') });
    // The CLIP towers' thread (models/encoder.ts).
    this.emitFile({ type: 'asset', fileName: 'clip.worker.cjs', source: readFileSync(resolve(__dirname, 'main/services/models/clip.worker.cjs'), 'utf8') });
  },
});

export default defineConfig({
  main: {
    plugins: [partWriterWorker()],
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS.
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    // Relative asset URLs: the web bridge serves the page under a per-run path (see main/bridge/server.ts).
    base: './',
    plugins: [react(), cspMeta()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
