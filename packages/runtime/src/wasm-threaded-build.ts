import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compiledScript } from './compiled-script.js';
import { type WasmInstance, webAssembly } from './wasm-kernels/simd/web-assembly.js';

const require = createRequire(import.meta.url);

/** The most threads tfjs-backend-wasm's threaded build runs (its pool of workers is 8). */
export const MAX_WASM_THREADS = 8;

/** The emscripten module of tfjs-backend-wasm's threaded SIMD build, as `BackendWasm` takes it. */
export interface ThreadedWasmModule {
  PThread: { runningWorkers: Array<{ unref(): void }> };
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
}

type Imports = Record<string, Record<string, unknown>>;
type Factory = (config: {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: Imports,
    receive: (instance: WasmInstance, module: object) => void,
  ): Record<string, never>;
}) => Promise<ThreadedWasmModule>;

/**
 * Starts tfjs-backend-wasm's threaded SIMD build in Node.js, where tfjs itself does not (tfjs
 * #3830: its flag `WASM_HAS_MULTITHREAD_SUPPORT` is false in Node, and the build's thread
 * script is shipped only for a Blob URL). The build's own Node support does the rest: its
 * threads are `worker_threads` running `wasm-threaded-pthread.js`, which runs that script. Two
 * things are set here that the build takes from the machine: the core count it caps its
 * threads at (it takes half the logical cores, as for 2-way hyper-threading; it is told
 * `2 · threads`), and the `.wasm` file. Resolves to the module with tfjs's bindings
 * (`module.tfjs`), for `new BackendWasm(module)` after `setThreadsCount(threads)`.
 */
export async function startThreadedWasmModule(threads: number): Promise<ThreadedWasmModule> {
  const script = require.resolve(
    '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  );
  const binary = require.resolve(
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
  );
  const pthread = fileURLToPath(compiledScript('wasm-threaded-pthread.js', 'startWasmBackend'));
  const factory = require(script) as Factory;
  const module = await factory({
    locateFile: (path, prefix) => (path.endsWith('.worker.js') ? pthread : prefix + path),
    mainScriptUrlOrBlob: script,
    instantiateWasm(imports, receive) {
      const env = imports.env ?? {};
      for (const [key, value] of Object.entries(env)) {
        if (typeof value === 'function' && value.name === '_emscripten_num_logical_cores') {
          env[key] = () => 2 * threads;
        }
      }
      webAssembly
        .instantiate(readFileSync(binary), imports)
        .then(({ instance, module: compiled }) => receive(instance, compiled));
      return {};
    },
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Lets the process end while the build's pool threads wait for work: the build keeps a
 * running thread's worker referenced (an XNNPACK pool thread runs for the backend's lifetime),
 * which would keep Node.js alive forever.
 */
export function unrefPoolThreads(module: ThreadedWasmModule): void {
  for (const worker of module.PThread.runningWorkers) worker.unref();
}
