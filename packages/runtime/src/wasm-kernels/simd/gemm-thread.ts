// The script of one GEMM thread (see gemm-threads.ts and gemm-control.ts): its own instance of
// the SIMD kernels on the backend's shared heap; takes chunks of every product the main
// thread hands out.
import { parentPort, workerData } from 'node:worker_threads';
import {
  controlBlock,
  type GemmThreadData,
  JOB,
  SPIN_MS,
  STOP,
  THREADS_SLEEP,
  takeChunks,
} from './gemm-control.js';
import type { SimdKernels } from './instance.js';
import { webAssembly } from './web-assembly.js';

const data = workerData as GemmThreadData;
const block = controlBlock(data.control);
const { control } = block;
const kernels = new webAssembly.Instance(data.module, { env: { memory: data.memory } })
  .exports as unknown as SimdKernels;
parentPort?.postMessage('ready');

/** Waits for a product after `seen`: spins SPIN_MS, then sleeps until one is handed out. */
function nextJob(seen: number): number {
  const until = performance.now() + SPIN_MS;
  for (let i = 0; ; i++) {
    const job = Atomics.load(control, JOB);
    if (job !== seen) return job;
    if ((i & 255) === 255 && performance.now() > until) {
      // the main thread, seeing the count, wakes this thread when it hands out a product
      Atomics.add(control, THREADS_SLEEP, 1);
      Atomics.wait(control, JOB, seen);
      Atomics.sub(control, THREADS_SLEEP, 1);
      return Atomics.load(control, JOB);
    }
  }
}

for (let seen = 0; Atomics.load(control, STOP) === 0; ) {
  seen = nextJob(seen);
  takeChunks(kernels, block, seen, data.index);
}
