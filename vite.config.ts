import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

// Two entries: the technician console (served by signaling) and the facility consent
// page (served by the agent-bridge on loopback). Both build into dist/.
export default defineConfig({
  plugins: [svelte()],
  define: {
    // simple-peer and its stream dependencies expect Node's `global`.
    global: 'globalThis',
  },
  resolve: {
    alias: { events: 'events', process: 'process/browser', buffer: 'buffer' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // The OPAQUE library bundles sjcl, which looks for Node's `module` and `crypto` and
      // uses neither in a browser (it takes Web Crypto there). Its warnings say nothing
      // about this app, so they are not shown; every other warning is.
      onwarn(warning, warn) {
        const where = `${warning.id ?? ''} ${warning.message}`;
        if (where.includes('@cloudflare/voprf-ts')) return;
        warn(warning);
      },
      input: {
        console: resolve(import.meta.dirname, 'index.html'),
        consent: resolve(import.meta.dirname, 'consent.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/socket.io': { target: 'http://localhost:8080', ws: true },
    },
  },
  test: {
    include: ['{shared,signaling,agent-bridge,web,scripts,bench}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    pool: 'forks',
  },
});
