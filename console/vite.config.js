// Vite settings for the console: a static single page (hash routes) served by the sluice binary at
// `/`; hashed file names under assets/ so the server may cache them forever. The dev server proxies
// the API to a running `sluice serve` (SLUICE_HTTP, default 127.0.0.1:8080).
import { defineConfig } from 'vite';

const target = `http://${process.env.SLUICE_HTTP || '127.0.0.1:8080'}`;

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': target, '/metrics': target } },
});
