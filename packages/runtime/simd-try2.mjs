import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { startWasmBackend } from './dist/index.js';
import { forceRoutes } from './dist/wasm-kernels/routes.js';
await startWasmBackend();
const b = tf.backend();
const mem = b.wasm.asm.memory;
const { instance } = await WebAssembly.instantiate(readFileSync('/tmp/k.wasm'), { env: { memory: mem } });
const k = instance.exports;
const off = (t) => b.dataIdMap.get(t.dataId).memoryOffset;
function time(f, n = 5) { f(); const t = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t) / n; }
for (const [N, H, Cin, Co, K, pad, S] of [[128, 12, 64, 64, 5, 'valid', 1], [32, 12, 64, 64, 5, 'valid', 1], [16, 32, 64, 64, 3, 'same', 1], [16, 16, 128, 128, 3, 'same', 1], [16, 8, 256, 256, 3, 'same', 1], [16, 4, 512, 512, 3, 'same', 1], [16, 32, 64, 128, 3, 'same', 2], [16, 32, 64, 128, 1, 'same', 2]]) {
  const OH = pad === 'valid' ? (H - K) / S + 1 : Math.ceil(H / S); const pt = pad === 'valid' ? 0 : Math.floor(Math.max((OH - 1) * S + K - H, 0) / 2);
  const w = tf.randomNormal([K, K, Cin, Co]);
  const dy = tf.randomNormal([N, OH, OH, Co]);
  const attrs = { strides: [S, S], pad, dataFormat: 'NHWC', inputShape: [N, H, H, Cin] };
  const times = {};
  for (const input of ['flipped-conv', 'matmul-col2im']) { forceRoutes({ input }); times[input] = time(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.add(w, 0) }, attrs).dispose()); }
  forceRoutes({});
  const want = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs);
  const dx = tf.zeros([N, H, H, Cin]);
  const run = () => { const wt = tf.transpose(tf.add(w, 0), [0, 1, 3, 2]); k.conv2d_input_grad(off(dy), off(wt), off(dx), N, H, H, Cin, OH, OH, Co, K, K, S, S, pt, pt); wt.dispose(); };
  const tSimd = time(run);
  const a = want.dataSync(), bb = new Float32Array(mem.buffer, off(dx), a.length);
  let err = 0, mx = 0; for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i] - bb[i])); mx = Math.max(mx, Math.abs(a[i])); }
  const gf = 2 * N * OH * OH * K * K * Cin * Co / 1e9;
  console.log(`input grad N${N} ${H}x${H}x${Cin}->${Co} k${K}s${S} ${pad}: flipped ${times['flipped-conv'].toFixed(1)}, col2im ${times['matmul-col2im'].toFixed(1)}, simd ${tSimd.toFixed(1)} ms (${(gf / tSimd * 1e3).toFixed(1)} GFLOP/s), rel err ${(err / mx).toExponential(1)}`);
  tf.dispose([w, dy, want, dx]);
}
