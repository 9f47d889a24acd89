import { BACKEND_NAMES } from '@bregman/runtime';
import { MODELS, OPTIMIZERS } from './cases.js';

/** What to run. */
export interface BenchOptions {
  /**
   * Backends to time (`webgpu`, `tensorflow`, `wasm`, `cpu`); those that cannot start are
   * reported and skipped.
   */
  backends: string[];
  /** Model names (see `MODELS`). */
  models: string[];
  /** Optimizer names (see `OPTIMIZERS`). */
  optimizers: string[];
  /** Override the batch sizes of every model. */
  batchSizes?: number[];
  /** Timed steps per configuration (≥ 1). */
  steps: number;
  /** Untimed warm-up rounds. */
  warmup: number;
  /**
   * Milliseconds of untimed steps each configuration runs on its own before the rounds (at
   * least one step): tfjs's JavaScript is still being compiled over a small model's first
   * few hundred steps, on a background thread that takes a core from a step that runs on all
   * of them (`--threads`) but not from one that runs on one.
   */
  warmupMs: number;
  /**
   * How many steps of one configuration run back to back in each round, as in training
   * (1: the configurations alternate step by step).
   */
  consecutive: number;
  /** Write the results as JSON here. */
  json?: string;
  /** Side of the square matMul whose rate is the efficiency's ceiling. */
  matMulSize: number;
  /** Worker counts to time `DataParallelTrainer` with (1 is always added as the baseline). */
  workers?: number[];
  /**
   * With `workers`: milliseconds of untimed steps each data-parallel configuration runs on its
   * own before the rounds (fresh worker threads compile tfjs's JavaScript and the wasm
   * modules as they go, over their first few hundred small steps).
   */
  workersWarmupMs: number;
  /**
   * With `workers`: milliseconds of untimed steps that start each round of a data-parallel
   * configuration (at least one step when > 0): its threads idled while the other
   * configurations ran, and the first steps after a pause run slower, which a training, whose
   * threads do not pause, does not see.
   */
  workersLeadMs: number;
  /**
   * Also compare a few Bregman steps on each backend other than `cpu` with the same steps
   * on `cpu` (see `measureAgreement`).
   */
  agreement?: boolean;
  /**
   * Also time the ConvNet's LinBreg step dense and through `SparseAwareStep` (issue 22) at
   * these conv-kernel densities (default: those of Table 2's LinBreg run record).
   */
  sparseAware?: number[] | 'table2';
  /**
   * Also train Table 2's LinBreg run of this repro profile end to end, with the dense and
   * with the sparse-aware step (`pnpm repro --sparse-aware`), on `seeds` seeds.
   */
  endToEnd?: { profile: 'smoke' | 'quick' | 'paper'; seeds: number; epochs?: number };
  /**
   * `false`: wasm runs without `@bregman/runtime`'s WebAssembly SIMD kernels (their XNNPACK /
   * JavaScript routes instead), to compare.
   */
  simdKernels?: boolean;
  /**
   * Threads the wasm backend's products and convolutions run on (`startWasmBackend`'s
   * `threads`; default 1): one process, one model, no replicas. Each configuration is then
   * timed on 1 thread and on this many, in the same rounds.
   */
  wasmThreads?: number;
}

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {}

export const USAGE = `pnpm bench [options]

Times training steps (model.trainOnBatch) for backends × models × optimizers and prints a
markdown table of median ms/step, samples/s, the step's GFLOP/s (FLOPs counted
analytically), its efficiency (÷ the backend's matMul GFLOP/s, timed in the same rounds)
and the LinBreg/SGD and AdaBreg/Adam ratios.

  --backends LIST    comma-separated: webgpu, tensorflow, wasm, cpu (default: the one
                     BREGMAN_BACKEND names, else tensorflow,wasm; those that cannot start are
                     listed with the reason and skipped; webgpu without a GPU runs on Mesa's
                     software adapter when installed: slow)
  --models LIST      ${MODELS.map((m) => m.name).join(', ')} (default: all)
  --optimizers LIST  ${OPTIMIZERS.map((o) => o.name).join(', ')} (default: all)
  --batch LIST       batch sizes for every model (default: mlp 128, convNet 32,128, resnet18 16)
  --steps N          timed steps per configuration (default 20)
  --warmup N         untimed warm-up rounds (default 3)
  --warmup-ms MS     before them, each configuration runs untimed steps for MS milliseconds
                     on its own (default 2000): tfjs's JavaScript is still compiled over a small
                     model's first hundreds of steps, on a background thread that slows a step
                     run on every core (--threads) and not one run on one
  --consecutive N    steps of one configuration run back to back in each round, all timed, as
                     consecutive steps of one training run (default 5; the configurations and
                     the ceilings' matMuls take turns round by round). 1 alternates them step
                     by step, so each step starts with caches the others filled: the MLP's
                     step is ~1.2x slower so, and the MLP's 2-thread step ~3-5x (its threads
                     idle between steps, as no training leaves them)
  --json FILE        also write the results as JSON
  --workers LIST     also time one run on N threads (DataParallelTrainer of @bregman/runtime)
                     for each N in the list, e.g. 1,2; prints the speedup over 1 worker of
                     the median step and of the mean step (slow steps included: the rate a
                     training sees)
  --workers-warmup MS
                     with --workers: each configuration first runs untimed steps for MS
                     milliseconds (default 2000): fresh threads compile tfjs's JavaScript as
                     they go, and the MLP's 2-worker step takes ~200 steps to settle
  --workers-lead MS  with --workers: each round of a configuration starts with untimed steps
                     for about MS milliseconds, at least one (default 20): its threads idled
                     while the others ran, and the first steps after a pause run slower (up
                     to 2x for the MLP); a training's threads do not pause
  --matmul N         side of the square matMul timed on each backend, the ceiling of the
                     efficiency column = model GFLOP/s ÷ matMul GFLOP/s (default 1024)
  --agreement        also run 3 LinBreg / AdaBreg steps (batch 4) of each model on every
                     backend but cpu and on cpu, from the same weights and batch, and print how
                     far apart the weights end (max relative difference, support mismatches)
  --sparse-aware     also time the ConvNet's LinBreg step (Table 2's λ) dense and through
                     SparseAwareStep (only the live units), at the conv-kernel densities of
                     Table 2's LinBreg run (docs/results/table2/runs/linbreg-group-s1.json),
                     from the sparse initialization at each; prints the speedup
  --densities LIST   --sparse-aware at these densities instead, fractions in (0, 1]
  --end-to-end PROFILE
                     also train Table 2's LinBreg run of pnpm repro's profile PROFILE
                     (smoke | quick | paper) whole, with the dense step and with
                     --sparse-aware, on each backend; prints wall times, accuracy and
                     density of both and the end-to-end speedup (quick: ~5 min on 2 cores)
  --end-to-end-seeds N
                     seeds of --end-to-end (default 1), each trained both ways in turn
  --end-to-end-epochs N
                     train --end-to-end's runs N epochs instead of the profile's (the
                     network grows denser in a longer run)
  --threads N        wasm's products and convolutions on N threads in this one process (1-8,
                     default 1; @bregman/runtime's startWasmBackend({ threads })): each
                     configuration is timed on 1 and on N threads in the same rounds, with
                     the speedup; not with --workers or --no-simd-kernels
  --no-simd-kernels  wasm without @bregman/runtime's WebAssembly SIMD kernels (convolution
                     gradients, pooling gradient, bias sums take their XNNPACK / JavaScript
                     routes), to compare with a run with them; not with --workers
  --smoke            tiny run for CI: wasm, mlp and convNet at batch 4, 2 steps, 1 warm-up,
                     a 128² matMul
  --help             this text`;

const BACKENDS: string[] = [...BACKEND_NAMES];

/** The backends to time when `--backends` is not given: `BREGMAN_BACKEND`'s, else tensorflow, wasm. */
function defaultBackends(env: Record<string, string | undefined>): string[] {
  const named = env.BREGMAN_BACKEND?.trim().toLowerCase();
  if (!named || named === 'auto') return ['tensorflow', 'wasm'];
  if (!BACKENDS.includes(named)) {
    throw new UsageError(
      `BREGMAN_BACKEND: unknown backend '${env.BREGMAN_BACKEND}'; allowed: ${BACKENDS.join(', ')}, auto`,
    );
  }
  return [named];
}

function list(flag: string, value: string | undefined, allowed: string[]): string[] {
  if (!value)
    throw new UsageError(`${flag} needs a value: a comma-separated list of ${allowed.join(', ')}`);
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((i) => !allowed.includes(i));
  if (unknown.length > 0 || items.length === 0) {
    throw new UsageError(
      `${flag}: unknown ${unknown.join(', ') || '(empty)'}; allowed: ${allowed.join(', ')}`,
    );
  }
  return items;
}

function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

/** A comma-separated list of integers ≥ 1. */
function counts(flag: string, value: string | undefined): number[] {
  return (value ?? '').split(',').map((n) => count(flag, n, 1));
}

/**
 * Parses the command line; `null` means `--help` was asked. `env` (default `process.env`) gives
 * `BREGMAN_BACKEND`, the default of `--backends`.
 */
export function parseArgs(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): BenchOptions | null {
  const options: BenchOptions = {
    backends: defaultBackends(env),
    models: MODELS.map((m) => m.name),
    optimizers: OPTIMIZERS.map((o) => o.name),
    steps: 20,
    warmup: 3,
    warmupMs: 2000,
    consecutive: 5,
    workersWarmupMs: 2000,
    workersLeadMs: 20,
    matMulSize: 1024,
  };
  let endToEndProfile = false;
  let workersTiming = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return null;
      case '--backends':
        options.backends = list(flag, value(), BACKENDS);
        break;
      case '--models':
        options.models = list(
          flag,
          value(),
          MODELS.map((m) => m.name),
        );
        break;
      case '--optimizers':
        options.optimizers = list(
          flag,
          value(),
          OPTIMIZERS.map((o) => o.name),
        );
        break;
      case '--batch':
        options.batchSizes = counts(flag, value());
        break;
      case '--steps':
        options.steps = count(flag, value(), 1);
        break;
      case '--warmup':
        options.warmup = count(flag, value(), 0);
        break;
      case '--warmup-ms':
        options.warmupMs = count(flag, value(), 0);
        break;
      case '--consecutive':
        options.consecutive = count(flag, value(), 1);
        break;
      case '--workers':
        options.workers = counts(flag, value());
        break;
      case '--workers-warmup':
        options.workersWarmupMs = count(flag, value(), 0);
        workersTiming = true;
        break;
      case '--workers-lead':
        options.workersLeadMs = count(flag, value(), 0);
        workersTiming = true;
        break;
      case '--matmul':
        options.matMulSize = count(flag, value(), 1);
        break;
      case '--json': {
        const file = value();
        if (!file) throw new UsageError('--json needs a file name');
        options.json = file;
        break;
      }
      case '--agreement':
        options.agreement = true;
        break;
      case '--end-to-end': {
        const profile = value() ?? '';
        if (profile !== 'smoke' && profile !== 'quick' && profile !== 'paper') {
          throw new UsageError(
            `--end-to-end takes a repro profile: smoke, quick or paper, got '${profile}'`,
          );
        }
        options.endToEnd = { ...options.endToEnd, profile, seeds: options.endToEnd?.seeds ?? 1 };
        endToEndProfile = true;
        break;
      }
      case '--end-to-end-seeds':
        options.endToEnd = {
          ...options.endToEnd,
          profile: options.endToEnd?.profile ?? 'quick',
          seeds: count(flag, value(), 1),
        };
        break;
      case '--end-to-end-epochs':
        options.endToEnd = {
          profile: 'quick',
          seeds: 1,
          ...options.endToEnd,
          epochs: count(flag, value(), 1),
        };
        break;
      case '--sparse-aware':
        if (options.sparseAware === undefined) options.sparseAware = 'table2';
        break;
      case '--densities': {
        const list = value() ?? '';
        const densities = list.split(',').map((d) => Number(d.trim()));
        if (list === '' || densities.some((d) => !(d > 0 && d <= 1))) {
          throw new UsageError(
            `--densities must be a comma-separated list of fractions in (0, 1], got '${list}'`,
          );
        }
        options.sparseAware = densities;
        break;
      }
      case '--no-simd-kernels':
        options.simdKernels = false;
        break;
      case '--threads': {
        const threads = count(flag, value(), 1);
        if (threads > 8) throw new UsageError(`--threads must be from 1 to 8, got ${threads}`);
        options.wasmThreads = threads;
        break;
      }
      case '--smoke':
        Object.assign(options, {
          backends: ['wasm'],
          models: ['mlp', 'convNet'],
          batchSizes: [4],
          steps: 2,
          warmup: 1,
          warmupMs: 0,
          consecutive: 1,
          workersWarmupMs: 0,
          workersLeadMs: 0,
          matMulSize: 128,
        });
        break;
      case '--':
        break;
      default:
        throw new UsageError(`unknown option ${flag}; see --help`);
    }
  }
  if (options.simdKernels === false && options.workers) {
    throw new UsageError(
      '--no-simd-kernels cannot go with --workers: the worker threads start their own wasm backend with the SIMD kernels',
    );
  }
  if ((options.wasmThreads ?? 1) > 1 && (options.workers || options.simdKernels === false)) {
    throw new UsageError(
      `--threads ${options.wasmThreads} cannot go with ${options.workers ? '--workers' : '--no-simd-kernels'}: the threads share the SIMD matrix product of one process`,
    );
  }
  if (workersTiming && !options.workers) {
    throw new UsageError('--workers-warmup and --workers-lead go with --workers LIST');
  }
  if (options.endToEnd && !endToEndProfile) {
    throw new UsageError(
      '--end-to-end-seeds and --end-to-end-epochs go with --end-to-end PROFILE (smoke, quick or paper)',
    );
  }
  return options;
}
