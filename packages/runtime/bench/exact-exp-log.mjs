// Checks the wasm backend's Exp and Log (this package's SIMD kernels) against the cpu backend's
// Math.exp and Math.log rounded to float32, on every float32 input (2³² of each, ~1 min per
// function on one core; NaN results compared as NaN). Run after `pnpm run build`:
//   node bench/exact-exp-log.mjs [exp|log ...]   (prints one line per function, exits 1 on a difference)
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend } from '../dist/index.js';

const functions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['exp', 'log'];
const reference = { exp: Math.exp, log: Math.log };
const op = { exp: tf.exp, log: tf.log };
await startWasmBackend();
const CHUNK = 1 << 22;
const bits = new Uint32Array(CHUNK);
const xs = new Float32Array(bits.buffer);
let failed = false;
for (const name of functions) {
  const f = reference[name];
  if (!f) throw new Error(`unknown function '${name}': exp or log`);
  const started = performance.now();
  let differences = 0;
  let first;
  for (let base = 0; base < 2 ** 32; base += CHUNK) {
    for (let i = 0; i < CHUNK; i++) bits[i] = base + i;
    const x = tf.tensor1d(xs);
    const y = op[name](x);
    const out = y.dataSync();
    tf.dispose([x, y]);
    for (let i = 0; i < CHUNK; i++) {
      const expected = Math.fround(f(xs[i]));
      const actual = out[i];
      if (Object.is(expected, actual) || (Number.isNaN(expected) && Number.isNaN(actual))) continue;
      differences++;
      first ??= { x: xs[i], expected, actual };
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `${name}: ${differences} of 2^32 float32 inputs differ from Math.${name} rounded to float32` +
      (first ? ` (first: x = ${first.x}: ${first.actual} instead of ${first.expected})` : '') +
      ` (${seconds} s)`,
  );
  failed ||= differences > 0;
}
process.exit(failed ? 1 : 0);
