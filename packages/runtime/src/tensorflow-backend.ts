import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { captureWarnings, firstLine } from './console-capture.js';
import { packageJsonPath, packageVersion } from './installed-package.js';

/** The packages that provide the `tensorflow` backend, in order of preference. */
export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** A package that provides the `tensorflow` backend and started it. */
export interface TensorflowStarted {
  /** `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`. */
  package: string;
  /** Its version. */
  version: string;
  /** The logical cores (libtensorflow's thread pool uses them all by default). */
  threads: number;
}

/** A package that was tried and did not start. */
export interface PackageFailure {
  /** The package. */
  package: string;
  /** Why, in one line: a summary, then `: ` and the details. */
  why: string;
}

/** The outcome of trying to start the `tensorflow` backend. */
export interface TensorflowAttempt {
  /** The package that started it; absent when none did. */
  started?: TensorflowStarted;
  /** Each package that was tried and did not start, with why. */
  failures: PackageFailure[];
}

/** Why `pkg` cannot load without importing it, or `undefined` when it may. */
function precheck(pkg: string): string | undefined {
  const json = packageJsonPath(pkg);
  if (!json) return 'not installed (it is an optional dependency)';
  const dir = dirname(json);
  const lib = join(dir, 'lib');
  const bindings = existsSync(lib)
    ? readdirSync(lib).filter((d) => existsSync(join(lib, d, 'tfjs_binding.node')))
    : [];
  if (bindings.length === 0) {
    return (
      'libtensorflow is not installed (its install script did not run): ' +
      `no lib/napi-v*/tfjs_binding.node in ${dir}`
    );
  }
  return undefined;
}

/**
 * Starts the `tensorflow` backend from `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`.
 * A package that is absent, whose native addon was never built, or whose import throws (a
 * missing libtensorflow, CUDA, a version mismatch) is reported, never thrown: importing is
 * guarded by a check of the addon file, a `try`/`catch`, and a check that the backend
 * registered and starts.
 */
export async function startTensorflowBackend(): Promise<TensorflowAttempt> {
  const failures: TensorflowAttempt['failures'] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    const why = precheck(pkg) ?? (await importAndStart(pkg));
    if (why === undefined) {
      return {
        started: { package: pkg, version: packageVersion(pkg), threads: availableParallelism() },
        failures,
      };
    }
    failures.push({ package: pkg, why });
  }
  return { failures };
}

/** Imports `pkg` and switches to its backend; the reason it failed, or `undefined`. */
export async function importAndStart(pkg: string): Promise<string | undefined> {
  try {
    const { value: started, warnings } = await captureWarnings(async () => {
      const specifier: string = pkg; // not resolved at compile time: the package is optional
      await import(specifier);
      if (!tf.findBackendFactory('tensorflow')) return false;
      return tf.getBackend() === 'tensorflow' || (await tf.setBackend('tensorflow'));
    });
    if (started) {
      for (const line of warnings) console.warn(line); // not ours to swallow once it started
      return undefined;
    }
    return warnings.length > 0
      ? `its backend did not start: ${warnings.join(' ').replace(/\s+/g, ' ').trim()}`
      : 'it loaded but registered no tensorflow backend';
  } catch (error) {
    return `import failed: ${firstLine(error)}`;
  }
}
