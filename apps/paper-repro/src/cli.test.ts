import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { filesBelow, MAIN, records, repro } from './cli.test-helper.js';

/** `text` as a regular expression that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectSvg(path: string, ...texts: string[]) {
  const svg = readFileSync(path, 'utf8');
  expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  for (const text of texts) expect(svg).toContain(text);
}

describe('pnpm repro (the built CLI)', () => {
  it.each([
    [['fig9'], /repro: unknown experiment 'fig9'; allowed: fig2, fig3, table1/],
    [['fig2', '--profile', 'huge'], /repro: unknown profile 'huge'; allowed: smoke, quick, paper/],
    [
      ['fig2', '--data-dir', '/no/such/dir'],
      /repro: --data-dir \/no\/such\/dir is not a directory; .*cifar-10-binary\.tar\.gz/,
    ],
  ])('%j exits with code 2 and says what is allowed', (args, message) => {
    const { code, err } = repro(...(args as string[]));
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('--help prints the usage and exits 0', () => {
    const { code, out } = repro('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^pnpm repro \[experiments…\] \[options\]/);
    expect(out).toContain('--resume');
  });

  it('table3 named without CIFAR-10 exits 2 before training, saying where to get the data', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-nodata-'));
    const { code, err } = repro('table3', 'fig2', '--profile', 'quick', '--out', out);
    expect(code).toBe(2);
    expect(err).toMatch(
      /^repro: table3 cannot run: CIFAR-10 data missing \(no --data-dir given\): download https:\/\/www\.cs\.toronto\.edu/,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it.each([
    [['--out', '/proc/x'], /^repro: --out \/proc\/x is on the proc pseudo filesystem/],
    [['--out', '/sys/x'], /^repro: --out \/sys\/x is on the sysfs pseudo filesystem/],
    [['--out', MAIN], /^repro: --out .*main\.js is a file, not a directory/],
    [
      ['--data-dir', tmpdir(), '--out', join(tmpdir(), 'repro-unused')],
      new RegExp(`^repro: --data-dir ${literal(tmpdir())} holds none of mnist/`),
    ],
  ])('fig2 %j exits 2 with one line before anything trains', (args, message) => {
    const { code, err } = repro('fig2', '--profile', 'smoke', '--jobs', '1', ...(args as string[]));
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('a truncated run record is exit 2 with the file named and what to do', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-cut-'));
    const record = join(out, 'fig2', 'runs', 'sgd-s1.json');
    mkdirSync(dirname(record), { recursive: true });
    writeFileSync(record, '{"format": 1, "key": "ab');
    const { code, err } = repro('fig2', '--profile', 'smoke', '--out', out);
    expect(code).toBe(2);
    expect(err).toMatch(`repro: run record ${record}: not valid JSON`);
    expect(err).toMatch('Delete the file to rerun that run');
  });

  it('a run that fails (a damaged checkpoint on --resume) does not stop the others: exit 1, the report lists it', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-fail-'));
    const checkpoint = join(out, 'fig2', 'checkpoints', 'sgd-s1.ckpt');
    mkdirSync(dirname(checkpoint), { recursive: true });
    writeFileSync(checkpoint, 'BRGCKPT2 and then nothing that makes sense');
    const { code, err } = repro(
      'fig2',
      '--profile',
      'smoke',
      '--jobs',
      '2',
      '--resume',
      '--out',
      out,
    );
    expect(code, err).toBe(1);
    expect(err).toMatch(
      `repro: fig2/sgd-s1 failed: CorruptCheckpointError: checkpoint ${checkpoint}: `,
    );
    const done = records(out, 'fig2').filter((r) => r.status === 'done');
    expect(done).toHaveLength(9);
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('**1 of 10 runs failed:**');
    expect(report).toMatch(/- `sgd-s1`: checkpoint .*delete it to train this run again/);
  });

  it('a report that cannot be written: the runs are kept, the reason printed, exit 3', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-noreport-'));
    mkdirSync(join(out, 'REPORT.md')); // a directory where the report belongs
    const { code, err } = repro('fig2', '--profile', 'smoke', '--jobs', '1', '--out', out);
    expect(code, err).toBe(3);
    expect(err).toMatch(
      /repro: could not write the report: AtomicWriteError: could not write .*REPORT\.md/,
    );
    expect(records(out, 'fig2').every((r) => r.status === 'done')).toBe(true);
  });

  it('a results directory of another process is refused (exit 2) while that process lives', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-locked-'));
    // this test's own process holds the lock
    writeFileSync(
      join(out, '.repro.lock'),
      JSON.stringify({ pid: process.pid, workers: [], startedAt: 'now' }),
    );
    const { code, err } = repro('fig2', '--profile', 'smoke', '--out', out);
    expect(code).toBe(2);
    expect(err).toMatch(`--out ${out} is in use by another pnpm repro (pid ${process.pid}`);
  });

  it.runIf(process.getuid?.() === 0)(
    'a full disk: the sweep stops with exit 3, says why, and leaves no temporary file (root: mounts a 1 MiB tmpfs)',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'repro-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', out]);
      try {
        const { code, err } = repro('fig2', '--profile', 'smoke', '--jobs', '2', '--out', out);
        expect(code, err).toBe(3);
        expect(err).toMatch(/repro: fig2\/[^ ]+ failed: .*ENOSPC/);
        expect(err).toMatch(/run\(s\) not started: .*ENOSPC/);
        expect(filesBelow(out).filter((f) => /\.tmp-\d+$|\.repro/.test(f))).toEqual([]);
      } finally {
        execFileSync('umount', [out]);
      }
    },
  );

  it('--all pareto pareto-convnet --profile smoke, 2 workers: every experiment end to end (records, figures, tables, report); a second call trains nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-smoke-'));
    const first = repro(
      '--all',
      'pareto',
      'pareto-convnet',
      '--profile',
      'smoke',
      '--jobs',
      '2',
      '--out',
      out,
    );
    expect(first.err).toContain(
      '64 runs, 54 distinct trainings, 0 finished before, 54 to train with 2 worker(s)',
    );
    expect(first.code).toBe(0);
    const counts = {
      fig2: 10,
      fig3: 8,
      table1: 7,
      table2: 7,
      fig1: 1,
      table3: 6,
      fig4: 2,
      fig5: 1,
      pareto: 11,
      'pareto-convnet': 11,
    };
    for (const [experiment, count] of Object.entries(counts)) {
      const runs = records(out, experiment);
      expect(runs).toHaveLength(count);
      for (const record of runs) {
        expect(record.status).toBe('done');
        expect(record.spec.experiment).toBe(experiment);
        expect(record.epochs[0]!.epoch).toBe(0);
        expect(record.epochs.at(-1)!.epoch).toBe(record.spec.epochs);
        expect(record.finish?.kept.nTotal).toBeGreaterThan(0);
      }
      // a run removes its checkpoint when done (runs copied from another experiment have none)
      const checkpoints = join(out, experiment, 'checkpoints');
      if (existsSync(checkpoints)) expect(readdirSync(checkpoints)).toEqual([]);
    }
    const panels = [
      'train accuracy (%)',
      'validation accuracy (%)',
      'ℓ1 norm of the weights',
      'non-zero weights (%)',
    ];
    expectSvg(join(out, 'fig2', 'fig2.svg'), ...panels, 'LinBreg, λ = 0.1', 'ProxGD, λ = 0.0001');
    expectSvg(join(out, 'fig3', 'fig3.svg'), ...panels, 'AdaBreg, λ = 0.1');
    expectSvg(join(out, 'fig4', 'fig4.svg'), 'active neurons');
    expectSvg(join(out, 'fig4', 'fig4-authors-code.svg'), 'the authors’ code');
    expectSvg(join(out, 'pareto', 'pareto.svg'), 'non-zero weights (%)', 'magnitude pruning');
    expectSvg(join(out, 'pareto-convnet', 'pareto-convnet.svg'), 'paper: AdaBreg');
    const fig1 = decode(readFileSync(join(out, 'fig1', 'fig1.png')));
    expect([fig1.channels, fig1.width > fig1.height]).toEqual([1, true]);
    const fig5 = decode(readFileSync(join(out, 'fig5', 'fig5.png')));
    expect(fig5.channels).toBe(1);

    // the thresholded lasso rows keep the paper's density; the pruned nets their target
    const table1 = records(out, 'table1');
    const lasso = table1.find((r) => r.spec.method.id === 'lasso-sgd-l1')!;
    expect(lasso.finish!.thresholded!.nTotal).toBeLessThanOrEqual(0.035);
    expect(lasso.finish!.thresholded!.nTotal).toBeGreaterThan(0.03);
    const pruned = table1.find((r) => r.spec.method.id === 'pruning-l1')!;
    expect(pruned.finish!.kept.nTotal).toBeCloseTo(0.05, 3);
    const denoiser = records(out, 'fig4')[0]!;
    expect(denoiser.finish!.compacted!.layers).toHaveLength(6);
    expect(denoiser.finish!.compacted!.paramsAfter).toBeLessThan(
      denoiser.finish!.compacted!.paramsBefore,
    );

    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('| profile | `smoke` |');
    for (const figure of [
      'fig2/fig2.svg',
      'fig3/fig3.svg',
      'fig1/fig1.png',
      'fig4/fig4.svg',
      'fig4/fig4-authors-code.svg',
      'fig5/fig5.png',
      'pareto/pareto.svg',
      'pareto-convnet/pareto-convnet.svg',
    ]) {
      expect(report).toContain(`](${figure})`);
    }
    expect(report).toContain('Runs: 10 of 10 finished · 2 epochs · 2 seeds');
    expect(report).toContain('| Vanilla | Adam | 100.0 (100) |');
    expect(report).toContain('| Lasso | SGD + thresh. | 3.5 (3.5) |');
    expect(report).toContain('| Bregman | AdaBreg + thresh. |');
    expect(report).toContain('### `compact()` of the trained denoiser');
    expect(report).toContain('### Beyond the paper: the settings of the authors’ code');
    expect(report).toContain('To run it: `pnpm repro table3 --profile smoke`');
    expect(report).toContain(
      'SGD without regularization destroys the sparse initialization at once',
    );
    expect(report.match(/\*\*(holds|does not hold|not measured)\*\*/g)).toHaveLength(11);

    const before = statSync(join(out, 'fig2', 'runs', 'sgd-s1.json')).mtimeMs;
    const second = repro('--all', '--profile', 'smoke', '--jobs', '2', '--out', out);
    expect(second.code).toBe(0);
    expect(second.err).toContain('35 finished before, 0 to train');
    expect(statSync(join(out, 'fig2', 'runs', 'sgd-s1.json')).mtimeMs).toBe(before);
  }, 900_000);
});
