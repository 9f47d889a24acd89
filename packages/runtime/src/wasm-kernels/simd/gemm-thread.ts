// The script of one GEMM thread (see gemm-threads.ts and gemm-control.ts): its own instance of
// the SIMD kernels on the backend's shared heap; takes chunks of every product the main
// thread hands out.
import { parentPort, workerData } from 'node:worker_threads';
import {
  ARGS,
  CONTROL_SLOTS,
  claimChunk,
  claimCounter,
  FAILED,
  FINISHED,
  type GemmThreadData,
  JOB,
  SPIN_MS,
  STOP,
} from './gemm-control.js';
import type { SimdKernels } from './instance.js';
import { webAssembly } from './web-assembly.js';

const data = workerData as GemmThreadData;
const control = new Int32Array(data.control, 0, CONTROL_SLOTS);
const claims = claimCounter(data.control);
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
      Atomics.wait(control, JOB, seen);
      return Atomics.load(control, JOB);
    }
  }
}

for (let seen = 0; Atomics.load(control, STOP) === 0; ) {
  const job = nextJob(seen);
  seen = job;
  let chunk = claimChunk(claims, job, Atomics.load(control, ARGS + 10));
  if (chunk < 0) continue;
  // the first claim succeeded: the arguments are this job's until its chunks are all done
  const [a, b, c, bias, m, k, n, aT, bT, activation, chunks, width] = control.subarray(
    ARGS,
    ARGS + 12,
  ) as unknown as number[];
  for (; chunk >= 0; chunk = claimChunk(claims, job, chunks!)) {
    const begin = chunk * width!;
    const end = Math.min(n!, begin + width!);
    try {
      kernels.mat_mul_columns(
        a!,
        b!,
        c!,
        data.scratch,
        bias!,
        m!,
        k!,
        n!,
        aT!,
        bT!,
        activation!,
        begin,
        end,
      );
    } catch {
      Atomics.store(control, FAILED, 1);
    }
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
  }
}
