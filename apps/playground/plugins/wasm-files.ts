import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** Where the page finds tfjs-backend-wasm's binaries, relative to the page. */
export const WASM_DIR = 'wasm/';

/** tfjs-backend-wasm's three builds: plain, SIMD, and SIMD with threads. */
export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** The `dist` directory of the `@tensorflow/tfjs-backend-wasm` this app depends on. */
function wasmDistDir(root: string): string {
  const require = createRequire(join(root, 'package.json'));
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/**
 * A Vite plugin that serves tfjs-backend-wasm's `.wasm` files under {@link WASM_DIR}: from
 * node_modules in the dev server, copied into `dist/wasm/` by `vite build` (the page passes
 * that URL to `setWasmPaths`; nothing is fetched from another origin).
 */
export function wasmFilesPlugin(): Plugin {
  let root = process.cwd();
  const read = (file: string) => readFileSync(join(wasmDistDir(root), file));
  return {
    name: 'bregman-wasm-files',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        const file = WASM_FILES.find((f) => path === `${server.config.base}${WASM_DIR}${f}`);
        if (!file) return next();
        const data = read(file);
        response.setHeader('Content-Type', 'application/wasm');
        response.setHeader('Content-Length', String(data.length));
        response.end(data);
      });
    },
    generateBundle() {
      for (const file of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `${WASM_DIR}${file}`, source: read(file) });
      }
    },
  };
}
