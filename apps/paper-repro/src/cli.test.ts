import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from './engine/run-record.js';

// The built CLI, as `pnpm repro` runs it (turbo builds the app before its tests).
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

function repro(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('pnpm repro (the built CLI)', () => {
  it.each([
    [['fig9'], /repro: unknown experiment 'fig9'; allowed: fig2, fig3/],
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

  it('fig2 fig3 --profile smoke, 2 workers: records, figures and report; a second call trains nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'repro-smoke-'));
    const first = repro('fig2', 'fig3', '--profile', 'smoke', '--jobs', '2', '--out', out);
    expect(first.err).toContain(
      '18 runs, 14 distinct trainings, 0 finished before, 14 to train with 2 worker(s)',
    );
    expect(first.code).toBe(0);
    for (const [experiment, count] of [
      ['fig2', 10],
      ['fig3', 8],
    ] as const) {
      const runs = readdirSync(join(out, experiment, 'runs'));
      expect(runs).toHaveLength(count);
      for (const file of runs) {
        const record = JSON.parse(
          readFileSync(join(out, experiment, 'runs', file), 'utf8'),
        ) as RunRecord;
        expect(record.status).toBe('done');
        expect(record.spec.experiment).toBe(experiment);
        expect(record.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
        expect(record.backend).toMatch(/^wasm|^cpu|^tensorflow/);
      }
      expect(readdirSync(join(out, experiment, 'checkpoints'))).toEqual([]);
      const svg = readFileSync(join(out, experiment, `${experiment}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.trim().endsWith('</svg>')).toBe(true);
      for (const panel of [
        'train accuracy (%)',
        'validation accuracy (%)',
        'ℓ1 norm of the weights',
        'non-zero weights (%)',
      ]) {
        expect(svg).toContain(panel);
      }
      expect(svg).toContain('LinBreg, λ = 0.1');
    }
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('| profile | `smoke` |');
    expect(report).toContain('![fig2](fig2/fig2.svg)');
    expect(report).toContain('![fig3](fig3/fig3.svg)');
    expect(report).toContain('Runs: 10 of 10 finished · 2 epochs · 2 seeds');
    expect(report).toContain('| SGD | 2 |');
    expect(report).toContain('| LinBreg β = 0.9, λ = 0.1 | 2 |');
    expect(report).toContain(
      'SGD without regularization destroys the sparse initialization at once',
    );
    expect(report).toContain(
      'after 100 epochs AdaBreg has a higher validation accuracy than SGD while staying sparse',
    );
    expect(report.match(/\*\*(holds|does not hold|not measured)\*\*/g)).toHaveLength(8);

    const before = statSync(join(out, 'fig2', 'runs', 'sgd-s1.json')).mtimeMs;
    const second = repro('fig2', 'fig3', '--profile', 'smoke', '--jobs', '2', '--out', out);
    expect(second.code).toBe(0);
    expect(second.err).toContain('14 finished before, 0 to train');
    expect(statSync(join(out, 'fig2', 'runs', 'sgd-s1.json')).mtimeMs).toBe(before);
  });
});
