// The app's folders are layers, and imports go down them: a module imports from its own
// folder and from the folders of lower layers, never from a higher layer or from another
// folder of its own layer. This test reads every source file (tests and test helpers are
// free to import anything) and names each import that points the wrong way.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers, bottom first; folders of one layer do not import each other. `.` is the files
 * at the top of `src/`: the `pnpm repro` command line (`main.ts`, `repro.ts`, `options.ts`,
 * `reference.ts`).
 */
const LAYERS: readonly (readonly string[])[] = [
  // value types (run specs), exit codes, argument parsing | text, PNG and SVG output
  ['shared', 'render'],
  // the results directory: atomic writes, checkpoint files, run records, run keys, the plan
  ['storage'],
  // the datasets a run reads, `--data-dir`
  ['data'],
  // tfjs: building, training, evaluating and finishing one run
  ['training'],
  // running many runs: worker processes, their protocol, progress, core split
  ['jobs'],
  // the paper's experiments declared: runs, figures, tables, claims
  ['experiments'],
  // REPORT.md and its figures | the BullMQ planner and `pnpm repro-worker`
  ['report', 'queue'],
  // the command line
  ['.'],
];

/** A module's folder under `src/` (`.` at the top), from its path relative to `src/`. */
function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : '.';
}

/** The layer (index in {@link LAYERS}) of a folder, or -1 when it is in none. */
function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/**
 * The relative module paths a source text refers to: static imports and re-exports,
 * side-effect imports, `import('…')` (also as a type) and `new URL('…', import.meta.url)`
 * (the scripts of worker processes).
 */
function relativeImports(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*'(\.[^']*)'/gm,
    /^\s*import\s*'(\.[^']*)'/gm,
    /\bimport\(\s*'(\.[^']*)'\s*\)/g,
    /\bnew URL\(\s*'(\.[^']*)'\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
}

/**
 * What is wrong with the imports of these modules (paths relative to `src/`, with `/`): one
 * line per import that goes up a layer or sideways within one, and per module outside every
 * layer.
 */
function layerViolations(modules: ReadonlyArray<{ path: string; text: string }>): string[] {
  const order = LAYERS.map((layer) => layer.join(' | ')).join(' → ');
  const problems: string[] = [];
  for (const { path, text } of modules) {
    const folder = folderOf(path);
    const layer = layerOf(folder);
    if (layer < 0) {
      problems.push(`${path}: its folder ${folder}/ is in no layer; add it to LAYERS (${order})`);
      continue;
    }
    for (const spec of relativeImports(text)) {
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      if (target.startsWith('../')) {
        problems.push(`${path} imports '${spec}', outside src/ and its layers`);
        continue;
      }
      const targetFolder = folderOf(target);
      if (targetFolder === folder) continue;
      const targetLayer = layerOf(targetFolder);
      if (targetLayer >= 0 && targetLayer < layer) continue;
      const where =
        targetLayer < 0
          ? `${targetFolder}/, which is in no layer`
          : targetLayer === layer
            ? `${targetFolder}/, a folder of its own layer`
            : `${targetFolder}/, a higher layer`;
      problems.push(
        `${path} (${folder}/) imports '${spec}' from ${where}; imports go down: ${order}`,
      );
    }
  }
  return problems;
}

/** Every source file under `dir` but tests and test helpers, relative to `src/` with `/`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    const source =
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.test-helper.ts');
    return source
      ? [
          relative(import.meta.dirname, path)
            .split(sep)
            .join('/'),
        ]
      : [];
  });
}

describe('layers', () => {
  it('every source file imports only from its own folder or a lower layer', () => {
    const modules = sourceFiles(import.meta.dirname).map((path) => ({
      path,
      text: readFileSync(join(import.meta.dirname, path), 'utf8'),
    }));
    expect(modules.length).toBeGreaterThan(50);
    expect(layerViolations(modules)).toEqual([]);
  });

  it('names an import that goes up, one that goes sideways, and a folder in no layer', () => {
    const violations = layerViolations([
      { path: 'storage/plan.ts', text: "import type { X } from '../training/train-run.js';" },
      {
        path: 'report/report.ts',
        text: "import {\n  a,\n  b,\n} from '../queue/run-job.js';\nimport '../shared/spec.js';",
      },
      { path: 'jobs/scheduler.ts', text: "new URL('./worker.js', import.meta.url);" },
      { path: 'experiments/fig2.ts', text: "type R = import('../report/report.js').R;" },
      { path: 'engine/old.ts', text: '' },
    ]);
    expect(violations).toHaveLength(4);
    expect(violations[0]).toMatch(
      /^storage\/plan\.ts \(storage\/\) imports '\.\.\/training\/train-run\.js' from training\/, a higher layer/,
    );
    expect(violations[1]).toMatch(/^report\/report\.ts .* from queue\/, a folder of its own layer/);
    expect(violations[2]).toMatch(/^experiments\/fig2\.ts .* from report\/, a higher layer/);
    expect(violations[3]).toMatch(/^engine\/old\.ts: its folder engine\/ is in no layer/);
  });
});
