import { defineConfig } from 'vite';
import { mnistAssetPlugin } from './plugins/mnist-asset.js';
import { wasmFilesPlugin } from './plugins/wasm-files.js';

/**
 * Cross-origin isolation: lets tfjs-backend-wasm run on several threads (SharedArrayBuffer).
 * A host without these headers still works, with one wasm thread.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  plugins: [mnistAssetPlugin(), wasmFilesPlugin()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    // Not minified: tfjs-backend-wasm starts its wasm threads from the source text of a bundled
    // function (`factory.toString()`), and minified, that text names variables of the bundle
    // that the thread's worker does not have ("ReferenceError: e is not defined").
    minify: false,
    chunkSizeWarningLimit: 8192,
  },
});
