// The script of one thread of tfjs-backend-wasm's threaded build in Node.js (an XNNPACK pool
// thread). The build ships this script only as a string (`wasmWorkerContents`, meant for a
// Blob URL, which Node.js cannot start a worker from); it is run here as it would run there.
// It expects `require` and `__filename` in scope, as in a CommonJS script.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const __filename = fileURLToPath(import.meta.url);
const { wasmWorkerContents } =
  require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
// The string keeps the escapes of its source's string literals as line breaks (tfjs turns
// them back into `\n` before making its Blob, as here).
// biome-ignore lint/security/noGlobalEval: the build's own thread script, run as tfjs runs it
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
void __filename;
