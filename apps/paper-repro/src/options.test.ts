import { describe, expect, it } from 'vitest';
import { parseArgs } from './options.js';
import { UsageError } from './shared/cli-args.js';

describe('parseArgs', () => {
  it('defaults: quick profile, jobs and threads chosen per sweep, ./results', () => {
    expect(parseArgs(['fig3', 'fig2'], '/work')).toEqual({
      experiments: ['fig2', 'fig3'],
      all: false,
      profile: 'quick',
      sparseAware: true,
      out: '/work/results',
      resume: false,
    });
    expect(parseArgs(['--all'], '/w')?.experiments).toEqual([
      'fig2',
      'fig3',
      'table1',
      'table2',
      'fig1',
      'table3',
      'fig4',
      'fig5',
    ]);
    // beyond the paper: only when named
    expect(parseArgs(['pareto', '--all'], '/w')?.experiments.at(-1)).toBe('pareto');
    expect(parseArgs(['--all'], '/w')?.experiments).not.toContain('pareto');
    expect(parseArgs(['--help'])).toBeUndefined();
  });

  it('reads every option, as --flag value and --flag=value', () => {
    expect(
      parseArgs(
        [
          'fig2',
          '--profile',
          'smoke',
          '--seeds=2',
          '--jobs',
          '3',
          '--threads=2',
          '--sparse-aware',
          '--backend',
          'cpu',
          '--out',
          'x',
          '--resume',
          '--data-dir',
          '/tmp',
        ],
        '/w',
      ),
    ).toEqual({
      experiments: ['fig2'],
      all: false,
      profile: 'smoke',
      seeds: 2,
      jobs: 3,
      threads: 2,
      sparseAware: true,
      backend: 'cpu',
      out: '/w/x',
      resume: true,
      dataDir: '/tmp',
    });
    expect(parseArgs(['fig2', '--backend', 'auto'])).not.toHaveProperty('backend');
    expect(parseArgs(['fig2', '--backend', 'webgpu'])).toHaveProperty('backend', 'webgpu');
  });

  it.each([
    [
      ['fig9'],
      /unknown experiment 'fig9'; allowed: fig2, fig3, table1, table2, fig1, table3, fig4, fig5, pareto, pareto-convnet \(or --all\)/,
    ],
    [['fig2', '--profile', 'huge'], /unknown profile 'huge'; allowed: smoke, quick, paper/],
    [
      [],
      /name the experiments to run \(fig2, fig3, table1, table2, fig1, table3, fig4, fig5, pareto, pareto-convnet\) or pass --all/,
    ],
    [['fig2', '--jobs', '0'], /--jobs must be an integer ≥ 1, got '0'/],
    [['fig2', '--threads', '0'], /--threads must be an integer ≥ 1, got '0'/],
    [['fig2', '--threads', '2.5'], /--threads must be an integer ≥ 1, got '2.5'/],
    [['fig2', '--seeds', '1.5'], /--seeds must be an integer ≥ 1, got '1.5'/],
    [['fig2', '--seeds'], /--seeds needs a value/],
    [
      ['fig2', '--backend', 'gpu'],
      /unknown backend 'gpu'; allowed: auto, webgpu, tensorflow, wasm, cpu/,
    ],
    [
      ['fig2', '--data-dir', '/no/such/dir'],
      /--data-dir \/no\/such\/dir is not a directory; it should hold .*mnist\/.*cifar-10-batches-bin/,
    ],
    [['fig2', '--fast'], /unknown option '--fast'/],
    [['fig2', '--resume=false'], /--resume takes no value \(got '--resume=false'\)/],
    [['fig2', '--resume=true'], /--resume takes no value/],
    [['--all=no'], /--all takes no value/],
    [['fig2', '--out', ''], /--out needs a non-empty path, got ''/],
    [['fig2', '--out='], /--out needs a non-empty path/],
    [['fig2', '--out', '  '], /--out needs a non-empty path/],
    [['fig2', '--data-dir', ''], /--data-dir needs a non-empty path/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });

  it("--queue URL: the queue of many machines; --jobs, --threads and --backend are the workers'", () => {
    expect(parseArgs(['fig2', '--queue', 'redis://q:6380/1'], '/w')?.queue).toEqual({
      display: 'redis://q:6380/1',
      redis: { host: 'q', port: 6380, db: 1 },
    });
    expect(() => parseArgs(['fig2', '--queue', 'q:6379'])).toThrow(
      /--queue 'q:6379' is a q: URL, not redis: or rediss:; it takes redis:\/\//,
    );
    for (const [flag, value, worker] of [
      ['--jobs', '2', '--concurrency'],
      ['--threads', '2', '--threads'],
      ['--backend', 'wasm', '--backend'],
    ]) {
      expect(() => parseArgs(['fig2', '--queue', 'redis://q', flag!, value!])).toThrow(
        new UsageError(
          `${flag} and --queue do not go together: with --queue the workers train; give ${worker} to pnpm repro-worker instead`,
        ),
      );
    }
    expect(() => parseArgs(['fig2', '--queue', 'redis://q', '--sparse-aware'])).toThrow(
      /--sparse-aware and --queue do not go together: .* give --sparse-aware to pnpm repro-worker/,
    );
    expect(() => parseArgs(['fig2', '--queue', 'redis://q', '--dense-step'])).toThrow(
      /--dense-step and --queue do not go together: .* give --dense-step to pnpm repro-worker/,
    );
    expect(() => parseArgs(['fig2', '--sparse-aware=yes'])).toThrow(/--sparse-aware/);
  });

  it('the step on the live units is the default; --dense-step turns it off; both contradict', () => {
    expect(parseArgs(['fig2'])?.sparseAware).toBe(true);
    expect(parseArgs(['fig2', '--sparse-aware'])?.sparseAware).toBe(true);
    expect(parseArgs(['fig2', '--dense-step'])?.sparseAware).toBe(false);
    expect(parseArgs(['fig2', '--dense-step', '--dense-step'])?.sparseAware).toBe(false);
    for (const args of [
      ['--sparse-aware', '--dense-step'],
      ['--dense-step', '--sparse-aware'],
    ]) {
      expect(() => parseArgs(['fig2', ...args])).toThrow(
        new UsageError(
          '--sparse-aware and --dense-step contradict each other: give one of them (the default is --sparse-aware)',
        ),
      );
    }
    expect(() => parseArgs(['fig2', '--dense-step=1'])).toThrow(/--dense-step takes no value/);
  });
});
