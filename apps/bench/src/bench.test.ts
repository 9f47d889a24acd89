import { describe, expect, it } from 'vitest';
import { runBench } from './bench.js';
import { END_TO_END_METHOD, endToEndTable } from './end-to-end.js';
import { parseArgs, UsageError } from './options.js';
import { agreementTable, markdownTable, parallelTable } from './report.js';
import { convDensities, sparseAwareTable, TABLE2_RECORD } from './sparse-aware.js';

/** `pnpm bench --smoke` of LinBreg on the MLP, with the `extra` options. */
const smokeLinBreg = (...extra: string[]) =>
  runBench(parseArgs(['--smoke', '--models', 'mlp', '--optimizers', 'linbreg', ...extra])!);

describe('pnpm bench', () => {
  it('--smoke times every optimizer on wasm and reports the ratios', async () => {
    const options = parseArgs(['--smoke', '--models', 'mlp'])!;
    const result = await runBench(options);
    expect(result.backends.map((b) => b.name)).toEqual(['wasm']);
    expect(result.rows.map((r) => r.optimizer)).toEqual([
      'sgd',
      'linbreg',
      'linbreg-momentum',
      'adam',
      'adabreg',
    ]);
    for (const row of result.rows) {
      expect(row.stepTimes).toHaveLength(2);
      expect(row.msPerStep).toBeGreaterThan(0);
      expect(row.samplesPerSecond).toBeCloseTo((1000 * 4) / row.msPerStep, 6);
      expect(row.gflops).toBeCloseTo(row.stepFlops / (row.msPerStep * 1e6), 9);
      // the ceiling is timed in the same rounds as the steps: one matMul per round
      expect(row.matMul).toMatchObject({ n: 128, calls: 2 });
      expect(row.efficiency).toBeCloseTo(row.gflops / row.matMul.gflops, 9);
      // and the runtime's SIMD GEMM, the second ceiling
      expect(row.simdMatMul).toMatchObject({ n: 128, calls: 2 });
      expect(row.simdEfficiency).toBeCloseTo(row.gflops / row.simdMatMul!.gflops, 9);
    }
    expect(result.backends[0]!.matMul).toMatchObject({ n: 128, calls: 10 });
    expect(result.backends[0]!.simdMatMul).toMatchObject({ n: 128, calls: 10 });
    expect(result.backends[0]!.matMul.gflops).toBeGreaterThan(0);
    const ratios = Object.fromEntries(result.rows.map((r) => [r.optimizer, r.ratioName]));
    expect(ratios).toMatchObject({ linbreg: 'linbreg/sgd', adabreg: 'adabreg/adam' });
    expect(markdownTable(result.rows)).toContain('| wasm | mlp | 4 | linbreg |');
    JSON.parse(JSON.stringify(result));
  });

  it('--workers 2 times one run on 2 threads beside 1, with the speedup', async () => {
    const result = await smokeLinBreg('--workers', '2');
    expect(result.parallel.map((r) => [r.model, r.optimizer, r.workers])).toEqual([
      ['mlp', 'linbreg', 1],
      ['mlp', 'linbreg', 2],
    ]);
    const [one, two] = result.parallel;
    expect(one!.speedup).toBe(1);
    expect(two!.speedup).toBeCloseTo(one!.msPerStep / two!.msPerStep, 9);
    expect(two!.scaling).toBeCloseTo(two!.speedup / 2, 9);
    const mean = (times: number[]) => times.reduce((a, b) => a + b, 0) / times.length;
    expect(two!.msPerStepMean).toBeCloseTo(mean(two!.stepTimes), 9);
    expect(two!.speedupOfMean).toBeCloseTo(one!.msPerStepMean / two!.msPerStepMean, 9);
    expect(parallelTable(result.parallel)).toContain('| wasm | mlp | 4 | linbreg | 2 |');
  });

  it('--consecutive N runs each configuration N steps back to back per round', async () => {
    const result = await smokeLinBreg('--consecutive', '3', '--steps', '4');
    expect(result.options.consecutive).toBe(3);
    // ⌈4 / 3⌉ = 2 rounds of 3 timed steps each, and of 3 calls of each ceiling
    expect(result.rows[0]!.stepTimes).toHaveLength(6);
    expect(result.rows[0]!.matMul.calls).toBe(6);
    expect(() => parseArgs(['--consecutive', '0'])).toThrow(/--consecutive must be an integer ≥ 1/);
    // training-like by default; the CI smoke run alternates, one step each
    expect(parseArgs([])!.consecutive).toBe(5);
    expect(parseArgs(['--smoke'])!.consecutive).toBe(1);
  });

  it('--no-simd-kernels times wasm without the SIMD kernels', async () => {
    const off = await smokeLinBreg('--no-simd-kernels');
    expect(off.options.simdKernels).toBe(false);
    expect(off.rows).toHaveLength(1);
    expect(off.rows[0]!.msPerStep).toBeGreaterThan(0);
    // one ceiling: XNNPACK's product, no SIMD GEMM to compare with
    expect(off.rows[0]!.simdMatMul).toBeUndefined();
    expect(off.backends[0]!.simdMatMul).toBeUndefined();
    expect(markdownTable(off.rows)).toMatch(/\| – \| – \|/);
  });

  it('bad options are usage errors naming what is allowed', () => {
    expect(() => parseArgs(['--models', 'vgg'])).toThrow(UsageError);
    expect(() => parseArgs(['--models', 'vgg'])).toThrow(
      /unknown vgg; allowed: mlp, convNet, resnet18/,
    );
    expect(() => parseArgs(['--steps', '0'])).toThrow(/--steps must be an integer ≥ 1/);
    expect(() => parseArgs(['--matmul', '0'])).toThrow(/--matmul must be an integer ≥ 1/);
    expect(() => parseArgs(['--workers', '2,0'])).toThrow(
      /--workers must be an integer ≥ 1, got 0/,
    );
    expect(() => parseArgs(['--workers', '2', '--workers-warmup', '-1'])).toThrow(
      /--workers-warmup must be an integer ≥ 0, got -1/,
    );
    expect(() => parseArgs(['--workers-warmup', '100'])).toThrow(
      /--workers-warmup and --workers-lead go with --workers LIST/,
    );
    expect(parseArgs([])!.warmupMs).toBe(2000);
    expect(parseArgs(['--warmup-ms', '0'])!.warmupMs).toBe(0);
    expect(() => parseArgs(['--warmup-ms', '-5'])).toThrow(
      /--warmup-ms must be an integer ≥ 0, got -5/,
    );
    expect(parseArgs(['--workers', '2'])!.workersWarmupMs).toBe(2000);
    expect(parseArgs(['--workers', '2', '--workers-warmup', '0'])!.workersWarmupMs).toBe(0);
    expect(parseArgs(['--workers', '2'])!.workersLeadMs).toBe(20);
    expect(() => parseArgs(['--workers-lead', '5'])).toThrow(/go with --workers LIST/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
    expect(() => parseArgs(['--no-simd-kernels', '--workers', '2'])).toThrow(
      /--no-simd-kernels cannot go with --workers/,
    );
    expect(parseArgs(['--help'])).toBeNull();
  });

  it('--backends defaults to the one BREGMAN_BACKEND names (webgpu included), else tensorflow, wasm', () => {
    expect(parseArgs([], {})!.backends).toEqual(['tensorflow', 'wasm']);
    expect(parseArgs([], { BREGMAN_BACKEND: 'auto' })!.backends).toEqual(['tensorflow', 'wasm']);
    expect(parseArgs([], { BREGMAN_BACKEND: ' WebGPU ' })!.backends).toEqual(['webgpu']);
    expect(parseArgs(['--backends', 'wasm'], { BREGMAN_BACKEND: 'webgpu' })!.backends).toEqual([
      'wasm',
    ]);
    expect(parseArgs(['--backends', 'webgpu,cpu'], {})!.backends).toEqual(['webgpu', 'cpu']);
    expect(() => parseArgs([], { BREGMAN_BACKEND: 'gpu' })).toThrow(
      "BREGMAN_BACKEND: unknown backend 'gpu'; allowed: webgpu, tensorflow, wasm, cpu, auto",
    );
  });

  it('--agreement: LinBreg steps on wasm land where the same steps on cpu do', async () => {
    const result = await smokeLinBreg('--agreement');
    expect(result.agreement).toHaveLength(1);
    const [agreement] = result.agreement;
    expect(agreement).toMatchObject({
      backend: 'wasm',
      model: 'mlp',
      optimizer: 'linbreg',
      steps: 3,
    });
    // float32 on both, other summation orders: far below the weights' scale
    expect(agreement!.maxRelativeDifference).toBeLessThan(1e-4);
    expect(agreement!.supportMismatches).toBeLessThanOrEqual(agreement!.entries * 1e-3);
    expect(agreementTable(result.agreement)).toContain('| wasm | mlp | linbreg | 3 (4) |');
  });

  it('--sparse-aware: the ConvNet LinBreg step dense and on the live units, with the speedup', async () => {
    const result = await runBench(
      parseArgs(['--smoke', '--models', 'mlp', '--optimizers', 'sgd', '--densities', '0.05'])!,
    );
    expect(result.sparseAware).toHaveLength(1);
    const [row] = result.sparseAware;
    expect(row).toMatchObject({ backend: 'wasm', model: 'convNet', batchSize: 4, density: 0.05 });
    expect(row!.live).toMatch(
      /^conv_1 \d+\+\d+\/64, conv_2 \d+\+\d+\/64, dense_1 \d+\+\d+\/128, dense_2 10\+0\/10$/,
    );
    expect(row!.costRatio).toBeGreaterThan(0);
    expect(row!.costRatio).toBeLessThan(1);
    expect(row!.sparseAwareSpeedup).toBeCloseTo(row!.denseMs / row!.sparseAwareMs, 9);
    // the same steps on wasm (its own max-pool gradient and kernels): the same weights
    expect(row!.weightDifference).toBeLessThan(1e-4);
    expect(sparseAwareTable(result.sparseAware)).toContain('| wasm | convNet | 4 | 5.00% |');
    // the default densities: Table 2's LinBreg record, distinct and sorted
    const densities = convDensities(TABLE2_RECORD);
    expect(densities.length).toBeGreaterThan(0);
    expect([...densities].sort((a, b) => a - b)).toEqual(densities);
    expect(() => parseArgs(['--densities', '0,0.5'])).toThrow(
      "--densities must be a comma-separated list of fractions in (0, 1], got '0,0.5'",
    );
  });

  it("--end-to-end: Table 2's LinBreg run trained whole, dense and sparse-aware, with the speedup", async () => {
    const result = await runBench(
      parseArgs(['--smoke', '--models', 'mlp', '--optimizers', 'sgd', '--end-to-end', 'smoke'])!,
    );
    expect(result.endToEnd).toHaveLength(1);
    const [run] = result.endToEnd;
    expect(run!.backend).toBe('wasm');
    expect(run!.runs.map((r) => [r.profile, r.seed, r.step, r.epochs])).toEqual([
      ['smoke', 1, 'dense', 1],
      ['smoke', 1, 'sparse-aware', 1],
    ]);
    const [dense, sparse] = run!.runs;
    expect(dense!.sparseSteps).toBe(0);
    expect(sparse!.sparseSteps).toBeGreaterThan(0);
    // one epoch from the same weights and batches: the same model to float32 rounding
    expect(sparse!.testAccuracy).toBeCloseTo(dense!.testAccuracy!, 6);
    expect(sparse!.nConv).toBeCloseTo(dense!.nConv!, 6);
    expect(run!.endToEndSpeedup).toBeCloseTo(dense!.wallSeconds / sparse!.wallSeconds, 9);
    expect(endToEndTable(run!)).toContain('| smoke | 1 | sparse-aware | 1 |');
    expect(END_TO_END_METHOD).toBe('linbreg-group');
    expect(parseArgs(['--end-to-end', 'quick', '--end-to-end-seeds', '3'])!.endToEnd).toEqual({
      profile: 'quick',
      seeds: 3,
    });
    expect(
      parseArgs(['--end-to-end-epochs', '10', '--end-to-end', 'smoke', '--end-to-end-seeds', '2'])!
        .endToEnd,
    ).toEqual({ profile: 'smoke', seeds: 2, epochs: 10 });
    expect(dense!.epochSeconds).toHaveLength(1);
    expect(sparse!.epochNConv).toEqual(dense!.epochNConv.map((n) => expect.closeTo(n!, 6)));
    expect(() => parseArgs(['--end-to-end', 'fast'])).toThrow(
      "--end-to-end takes a repro profile: smoke, quick or paper, got 'fast'",
    );
    expect(() => parseArgs(['--end-to-end-seeds', '0'])).toThrow(/--end-to-end-seeds/);
    expect(() => parseArgs(['--end-to-end-epochs', '10'])).toThrow(
      '--end-to-end-seeds and --end-to-end-epochs go with --end-to-end PROFILE (smoke, quick or paper)',
    );
  });
});
