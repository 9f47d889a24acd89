import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as browser from './browser.js';
import * as main from './index.js';

const srcDir = dirname(fileURLToPath(import.meta.url));
const nodeBuiltins = new Set(builtinModules);

/** The packages the browser entry may reach: they run in browsers (no Node.js module). */
const BROWSER_SAFE_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@bregman/core-prox',
  '@bregman/optimizers',
  '@bregman/models', // tfjs-core and tfjs-layers only
];

/** A source file without its comments (TSDoc examples import other packages). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

/** Every module specifier a source file imports or re-exports (static and dynamic). */
function specifiers(file: string): string[] {
  const text = code(file);
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*'([^']+)'/gm, // import … from '…', export … from '…'
    /^\s*import\s*'([^']+)'/gm, // import '…' (side effects only)
    /\bimport\(\s*'([^']+)'\s*\)/g, // import('…')
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
}

/** The source files `entry` reaches through relative imports, `entry` included. */
function reachableFiles(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) pending.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  return [...seen];
}

it('the browser entry reaches no Node.js module and no Node-only global', () => {
  const files = reachableFiles(join(srcDir, 'browser.ts'));
  expect(files.length).toBeGreaterThan(5); // the wasm kernels' modules
  for (const file of files) {
    const packages = specifiers(file).filter((s) => !s.startsWith('.'));
    for (const spec of packages) {
      expect(nodeBuiltins.has(spec) || spec.startsWith('node:'), `${file} imports ${spec}`).toBe(
        false,
      );
      expect(BROWSER_SAFE_PACKAGES, `${file} imports ${spec}`).toContain(spec);
    }
    expect(code(file), `${file} uses process`).not.toMatch(/\bprocess\./);
    expect(code(file), `${file} uses Buffer`).not.toMatch(/\bBuffer\./);
  }
});

it('the browser entry exports the same functions as the main entry', () => {
  expect(Object.keys(browser).sort()).toEqual([
    'SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL',
    'SOFTMAX_CROSS_ENTROPY_KERNEL',
    'WASM_TRAINING_KERNELS',
    'loadWasmSimdKernels',
    'registerWasmTrainingKernels',
    'seededRandom',
    'setGlobalSeed',
    'setWasmSimdKernelsEnabled',
    'softmaxCrossEntropy',
    'unregisterWasmTrainingKernels',
    'wasmTrainingKernelsRegistered',
  ]);
  expect(browser.WASM_TRAINING_KERNELS).toBe(main.WASM_TRAINING_KERNELS);
  expect(browser.registerWasmTrainingKernels).toBe(main.registerWasmTrainingKernels);
  expect(browser.seededRandom).toBe(main.seededRandom);
  expect(browser.setGlobalSeed).toBe(main.setGlobalSeed);
  expect(browser.unregisterWasmTrainingKernels).toBe(main.unregisterWasmTrainingKernels);
  expect(browser.wasmTrainingKernelsRegistered).toBe(main.wasmTrainingKernelsRegistered);
  expect(browser.loadWasmSimdKernels).toBe(main.loadWasmSimdKernels);
  expect(browser.setWasmSimdKernelsEnabled).toBe(main.setWasmSimdKernelsEnabled);
  expect(browser.softmaxCrossEntropy).toBe(main.softmaxCrossEntropy);
});
