import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, type BackendRequest, parseBackendRequest } from './backend-name.js';
import { firstLine } from './console-capture.js';
import { type PackageFailure, startTensorflowBackend } from './tensorflow-backend.js';
import { startWasmBackend } from './wasm-backend.js';
import { MAX_WASM_THREADS } from './wasm-threaded-build.js';
import { startWebgpuBackend } from './webgpu-backend.js';

/** Options of {@link useBestBackend}. */
export interface UseBestBackendOptions {
  /**
   * The backend to use (`webgpu`, `tensorflow`, `wasm`, `cpu`) or `auto` (the fastest that
   * starts); e.g. a `--backend` flag. Wins over `BREGMAN_BACKEND`. A named backend that cannot
   * start is an error, never a silent fallback; `webgpu` named may run on a software adapter
   * (Mesa's llvmpipe) where there is no GPU.
   */
  prefer?: string;
  /** Where `BREGMAN_BACKEND` is read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Called once with {@link describeBackendChoice}'s line (e.g. `console.error`); default: silent. */
  log?: (line: string) => void;
  /**
   * The caller reads tensors synchronously (`dataSync`, `arraySync`), which the `webgpu`
   * backend cannot do in Node: `webgpu` is then skipped in the automatic choice (with that
   * reason) and naming it is an error. Default `false`.
   */
  syncReads?: boolean;
  /**
   * Threads the `wasm` backend's products, convolutions and other SIMD kernels run on, when
   * `wasm` is used (see `startWasmBackend`'s `threads`; default 1).
   */
  wasmThreads?: number;
}

/** A faster backend that was not used, and why. */
export interface SkippedBackend {
  /** The backend. */
  name: BackendName;
  /** The package that would have provided it. */
  package: string;
  /** Why it was not used, in one line. */
  why: string;
}

/** The backend {@link useBestBackend} switched to. */
export interface BackendChoice {
  /** The backend now active (`tf.getBackend()`). */
  name: BackendName;
  /**
   * The version of the package providing it (`tfjs-backend-webgpu`, `tfjs-node(-gpu)`,
   * `tfjs-backend-wasm`, or tfjs-core for `cpu`).
   */
  version: string;
  /**
   * Threads it computes on: for `wasm`, its SIMD kernels' (`wasmThreads`, default 1); 1 for
   * `cpu`; the logical cores for `tensorflow` (libtensorflow's default pool);
   * 1 for `webgpu` (the thread that drives the GPU).
   */
  threads: number;
  /**
   * For `webgpu`: the adapter it computes on, e.g. `hardware adapter nvidia hopper (…)` or
   * `software adapter llvmpipe-… (OpenGL ES 3.2 Mesa 22.3.6)`; absent for the other backends.
   */
  device?: string;
  /** Why this backend runs, including why the faster ones were skipped. */
  reason: string;
  /** The faster backends (or packages of the chosen one) tried and skipped; empty when none was. */
  skipped: SkippedBackend[];
  /** The training kernels registered on `wasm` by this package (empty for other backends). */
  kernels: string[];
}

/**
 * Switches tfjs to the fastest backend that starts here — `webgpu` when Dawn (the optional
 * `webgpu` package, with `@tensorflow/tfjs-backend-webgpu`) finds a hardware GPU, then
 * `tensorflow` (libtensorflow through `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`), then `wasm` (with the training kernels of this package registered),
 * then `cpu` — and says which one and why. `prefer`, else
 * the `BREGMAN_BACKEND` environment variable, names one instead; an unknown name is an error
 * listing the allowed ones. Broken optional packages never crash the process: they are skipped
 * with the reason.
 *
 * @example
 * ```ts
 * const choice = await useBestBackend();
 * console.log(describeBackendChoice(choice));
 * // backend wasm (tfjs-backend-wasm 4.22.0, 1 thread): …
 * ```
 */
export async function useBestBackend(options: UseBestBackendOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  let request: BackendRequest = 'auto';
  let source = '';
  if (options.prefer !== undefined) {
    request = parseBackendRequest(options.prefer, 'useBestBackend: prefer');
    source = `prefer: '${options.prefer}'`;
  } else if (env.BREGMAN_BACKEND !== undefined) {
    request = parseBackendRequest(env.BREGMAN_BACKEND, 'BREGMAN_BACKEND');
    source = `BREGMAN_BACKEND=${env.BREGMAN_BACKEND}`;
  }
  const syncReads = options.syncReads ?? false;
  const wasmThreads = options.wasmThreads ?? 1;
  if (!Number.isInteger(wasmThreads) || wasmThreads < 1 || wasmThreads > MAX_WASM_THREADS) {
    throw new Error(
      `useBestBackend: wasmThreads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(options.wasmThreads)}`,
    );
  }
  const choice =
    request === 'auto'
      ? await chooseFastest(syncReads, wasmThreads)
      : await start(request, source, syncReads, wasmThreads);
  options.log?.(describeBackendChoice(choice));
  return choice;
}

/**
 * One line for people: `backend wasm (tfjs-backend-wasm 4.22.0, 1 thread): <reason>`; for
 * `webgpu` the adapter instead of the threads.
 */
export function describeBackendChoice(choice: BackendChoice): string {
  const pkg = {
    webgpu: 'tfjs-backend-webgpu',
    tensorflow: 'libtensorflow',
    wasm: 'tfjs-backend-wasm',
    cpu: 'tfjs-core',
  }[choice.name];
  const where = choice.device ?? `${choice.threads} thread${choice.threads === 1 ? '' : 's'}`;
  return `backend ${choice.name} (${pkg} ${choice.version}, ${where}): ${choice.reason}`;
}

const WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

/** Why `webgpu` is not used by a caller that reads synchronously. */
const NO_SYNC_READS =
  'no synchronous reads: this program reads tensors with dataSync, which tfjs-backend-webgpu cannot do in Node';

async function chooseFastest(syncReads: boolean, wasmThreads: number): Promise<BackendChoice> {
  const webgpu = syncReads
    ? { why: NO_SYNC_READS }
    : await startWebgpuBackend({ adapter: 'hardware' });
  if (webgpu.started) {
    const { version, adapter } = webgpu.started;
    const device = `${adapter.kind} adapter ${adapter.name}`;
    const reason = `the fastest backend: a GPU through Dawn`;
    return { name: 'webgpu', version, threads: 1, device, reason, skipped: [], kernels: [] };
  }
  const failures: PackageFailure[] = [{ package: WEBGPU_PACKAGE, why: webgpu.why ?? '' }];
  const skipped: SkippedBackend[] = [
    { name: 'webgpu', package: WEBGPU_PACKAGE, why: webgpu.why ?? '' },
  ];
  const tensorflow = await startTensorflowBackend();
  failures.push(...tensorflow.failures);
  skipped.push(
    ...tensorflow.failures.map((f) => ({
      name: 'tensorflow' as const,
      package: f.package,
      why: f.why,
    })),
  );
  if (tensorflow.started) {
    const { package: pkg, version, threads } = tensorflow.started;
    const reason = `the fastest backend that starts here: libtensorflow through ${pkg}${skippedText(failures)}`;
    return { name: 'tensorflow', version, threads, reason, skipped, kernels: [] };
  }
  try {
    const wasm = await startWasmBackend({ threads: wasmThreads });
    return {
      name: 'wasm',
      version: wasm.version,
      threads: wasm.threads,
      reason: `the fastest backend that starts here${skippedText(failures)}`,
      skipped,
      kernels: wasm.kernels,
    };
  } catch (error) {
    skipped.push({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', why: firstLine(error) });
  }
  const cpu = await startCpu();
  const why = skipped.map((s) => `${s.package}: ${s.why}`).join('; ');
  return { ...cpu, reason: `the only backend that starts here (skipped ${why})`, skipped };
}

/**
 * ` (skipped tfjs-node-gpu, tfjs-node: libtensorflow is not installed (…))`: each failure's
 * summary (its text before the first `: `), packages with the same summary grouped.
 */
function skippedText(failures: PackageFailure[]): string {
  if (failures.length === 0) return '';
  const bySummary = new Map<string, string[]>();
  for (const f of failures) {
    const summary = f.why.split(': ')[0] ?? f.why;
    bySummary.set(summary, [
      ...(bySummary.get(summary) ?? []),
      f.package.replace('@tensorflow/', ''),
    ]);
  }
  const parts = [...bySummary].map(([summary, pkgs]) => `${pkgs.join(', ')}: ${summary}`);
  return ` (skipped ${parts.join('; ')})`;
}

async function start(
  name: BackendName,
  source: string,
  syncReads: boolean,
  wasmThreads: number,
): Promise<BackendChoice> {
  const reason = `requested by ${source}`;
  if (name === 'webgpu') {
    if (syncReads) {
      throw new Error(
        `${source} asks for the webgpu backend, which this program cannot use: ${NO_SYNC_READS}`,
      );
    }
    const webgpu = await startWebgpuBackend({ adapter: 'any' });
    if (!webgpu.started) {
      throw new Error(
        `${source} asks for the webgpu backend, which cannot start here: ${webgpu.why}`,
      );
    }
    const { version, adapter } = webgpu.started;
    const device = `${adapter.kind} adapter ${adapter.name}`;
    return { name, version, threads: 1, device, reason, skipped: [], kernels: [] };
  }
  if (name === 'tensorflow') {
    const tensorflow = await startTensorflowBackend();
    if (!tensorflow.started) {
      const why = tensorflow.failures.map((f) => `${f.package}: ${f.why}`).join('; ');
      throw new Error(`${source} asks for the tensorflow backend, which cannot start here: ${why}`);
    }
    const { version, threads } = tensorflow.started;
    return { name, version, threads, reason, skipped: [], kernels: [] };
  }
  if (name === 'wasm') {
    try {
      const wasm = await startWasmBackend({ threads: wasmThreads });
      const { version, threads, kernels } = wasm;
      return { name, version, threads, reason, skipped: [], kernels };
    } catch (error) {
      throw new Error(
        `${source} asks for the wasm backend, which cannot start here: ${firstLine(error)}`,
      );
    }
  }
  return { ...(await startCpu(source)), reason };
}

async function startCpu(source?: string): Promise<Omit<BackendChoice, 'reason'>> {
  const fail = (why: string) =>
    new Error(`${source ? `${source} asks for the cpu backend, but ` : ''}${why}`);
  if (!tf.findBackendFactory('cpu')) {
    throw fail(
      "the cpu backend is not registered: import '@tensorflow/tfjs' (or '@tensorflow/tfjs-backend-cpu')",
    );
  }
  if (!(await tf.setBackend('cpu'))) throw fail('the cpu backend did not start');
  return { name: 'cpu', version: tf.version_core, threads: 1, skipped: [], kernels: [] };
}
