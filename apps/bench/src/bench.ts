import { cpus } from 'node:os';
import { setWasmSimdKernelsEnabled, useBestBackend } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import { type Agreement, measureAgreement } from './agreement.js';
import { MODELS, OPTIMIZERS } from './cases.js';
import { type EndToEnd, measureEndToEnd } from './end-to-end.js';
import { type MatMulRate, measureMatMulRate } from './mat-mul-rate.js';
import { type Measurement, measureGroup } from './measure.js';
import type { BenchOptions } from './options.js';
import { measureParallel } from './parallel.js';
import { type ParallelRow, type Row, withRatios, withSpeedups } from './report.js';
import {
  convDensities,
  measureSparseAware,
  type SparseAwareRow,
  TABLE2_RECORD,
} from './sparse-aware.js';

/** Everything a bench run produced (also its JSON). */
export interface BenchResult {
  /** Where and when it ran. */
  machine: { node: string; platform: string; cpus: number; cpuModel: string; date: string };
  /** The options of the run. */
  options: BenchOptions;
  /**
   * Backends used, with the runtime's reason line and their `n × n` matMul rate, measured
   * in this run before the models (the ceiling of the efficiency column).
   */
  backends: Array<{
    name: string;
    version: string;
    threads: number;
    /** For `webgpu`: the adapter (`hardware adapter …` or `software adapter …`). */
    device?: string;
    reason: string;
    matMul: MatMulRate;
    /** On wasm with the SIMD kernels on: the same product through the runtime's SIMD GEMM. */
    simdMatMul?: MatMulRate;
  }>;
  /** Backends asked for that could not start, and why. */
  skippedBackends: Array<{ name: string; why: string }>;
  /** One row per backend × model × batch × optimizer. */
  rows: Row[];
  /** With `--workers`: one row per backend × model × batch × optimizer × worker count. */
  parallel: ParallelRow[];
  /** With `--agreement`: per backend (but cpu) × model × Bregman optimizer. */
  agreement: Agreement[];
  /** With `--sparse-aware`: per backend × batch × density, dense and live-unit step times. */
  sparseAware: SparseAwareRow[];
  /** With `--end-to-end`: per backend, Table 2's LinBreg run trained whole both ways. */
  endToEnd: Array<EndToEnd & { backend: string }>;
}

/** Runs the benchmark; `progress` gets a line per finished group. */
export async function runBench(
  options: BenchOptions,
  progress: (line: string) => void = () => {},
): Promise<BenchResult> {
  const models = MODELS.filter((m) => options.models.includes(m.name));
  const optimizers = OPTIMIZERS.filter((o) => options.optimizers.includes(o.name));
  const result: BenchResult = {
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      date: new Date().toISOString(),
    },
    options,
    backends: [],
    skippedBackends: [],
    rows: [],
    parallel: [],
    agreement: [],
    sparseAware: [],
    endToEnd: [],
  };
  const densities =
    options.sparseAware === 'table2' ? convDensities(TABLE2_RECORD) : options.sparseAware;
  const measurements: Measurement[] = [];
  setWasmSimdKernelsEnabled(options.simdKernels !== false);
  for (const backend of options.backends) {
    try {
      const choice = await useBestBackend({
        prefer: backend,
        ...(options.wasmThreads ? { wasmThreads: options.wasmThreads } : {}),
      });
      const { matMul, simdMatMul } = await measureMatMulRate(
        options.matMulSize,
        10,
        options.simdKernels,
      );
      result.backends.push({
        name: choice.name,
        version: choice.version,
        threads: choice.threads,
        ...(choice.device ? { device: choice.device } : {}),
        reason: choice.reason,
        matMul,
        ...(simdMatMul ? { simdMatMul } : {}),
      });
      progress(`backend ${choice.name}: ${choice.reason}`);
      progress(
        `${choice.name} matMul ${matMul.n}²: ${matMul.gflops.toFixed(1)} GFLOP/s (${matMul.msPerCall.toFixed(1)} ms)${simdMatMul ? `; SIMD GEMM ${simdMatMul.gflops.toFixed(1)} GFLOP/s (${simdMatMul.msPerCall.toFixed(1)} ms)` : ''}`,
      );
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      result.skippedBackends.push({ name: backend, why });
      progress(`backend ${backend} skipped: ${why}`);
      continue;
    }
    for (const model of models) {
      for (const batchSize of options.batchSizes ?? model.batchSizes) {
        const group = await measureGroup(
          tf.getBackend(),
          model,
          batchSize,
          optimizers,
          options,
          result.backends.at(-1)!.threads,
        );
        measurements.push(...group);
        progress(
          `${tf.getBackend()} ${model.name} b${batchSize}: ${group.map((g) => `${g.optimizer}${g.threads > 1 ? ` (${g.threads} threads)` : ''} ${g.msPerStep.toFixed(1)} ms`).join(', ')}`,
        );
      }
    }
    const active = tf.getBackend();
    if (options.agreement && active !== 'cpu') {
      const bregman = optimizers.filter((o) => o.baseline !== undefined);
      for (const model of models) {
        for (const optimizer of bregman.length > 0
          ? bregman
          : OPTIMIZERS.filter((o) => o.name === 'linbreg')) {
          const agreement = await measureAgreement(active, model, optimizer);
          result.agreement.push(agreement);
          progress(
            `${active} vs cpu, ${model.name} ${optimizer.name}, ${agreement.steps} steps: max relative difference ${agreement.maxRelativeDifference.toExponential(2)}, ${agreement.supportMismatches} support mismatches`,
          );
        }
      }
    }
    if (densities) {
      for (const batchSize of options.batchSizes ?? [128]) {
        const rows = await measureSparseAware(densities, batchSize, options);
        result.sparseAware.push(...rows);
        progress(
          `${active} convNet b${batchSize} sparse-aware: ${rows.map((r) => `${(100 * r.density).toFixed(2)}% ${r.sparseAwareSpeedup.toFixed(2)}×`).join(', ')}`,
        );
      }
    }
    if (options.endToEnd) {
      const { profile, seeds, epochs } = options.endToEnd;
      const runs = await measureEndToEnd(profile, seeds, progress, epochs);
      result.endToEnd.push({ backend: active, ...runs });
    }
    if (!options.workers) continue;
    if (active !== 'wasm' && active !== 'cpu') {
      progress(`--workers: skipped on ${active} (data-parallel threads run wasm or cpu)`);
      continue;
    }
    // one worker is the baseline of the speedup: always measured
    const counts = [...new Set([1, ...options.workers])].sort((a, b) => a - b);
    for (const model of models) {
      for (const batchSize of options.batchSizes ?? model.batchSizes) {
        for (const optimizer of optimizers) {
          const group = await measureParallel(active, model, batchSize, optimizer, counts, options);
          result.parallel.push(...withSpeedups(group));
          progress(
            `${active} ${model.name} b${batchSize} ${optimizer.name}: ${group.map((g) => `${g.workers} worker(s) ${g.msPerStep.toFixed(1)} ms`).join(', ')}`,
          );
        }
      }
    }
  }
  result.rows = withRatios(measurements, optimizers);
  return result;
}
