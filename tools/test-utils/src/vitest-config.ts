import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Options for {@link packageTestConfig}. */
export interface PackageTestOptions {
  /** Extra setup files, relative to the package directory. */
  setupFiles?: string[];
  /**
   * Per-test timeout in milliseconds: a guard against a hang, never a speed check (default
   * 10 minutes, far above what any test takes on a loaded 2-core machine; speed is
   * measured by `pnpm bench`, not by tests).
   */
  testTimeout?: number;
  /** Environment variables for the tests (and the processes they start). */
  env?: Record<string, string>;
}

/**
 * The vitest configuration every workspace package uses: tests beside the code
 * (`src/**\/*.test.ts`), the default reporter for people and a JSON report
 * (`.vitest-report.json`) that the root `pnpm test` sums into one closing line.
 */
export function packageTestConfig(options: PackageTestOptions = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: [
        fileURLToPath(new URL('./cpu-backend-setup.ts', import.meta.url)),
        ...(options.setupFiles ?? []),
      ],
      // temporary files in a directory of the run's own, removed when it ends
      globalSetup: [fileURLToPath(new URL('./temp-dir-setup.ts', import.meta.url))],
      testTimeout: options.testTimeout ?? 600_000,
      hookTimeout: options.testTimeout ?? 600_000,
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-report.json' },
      pool: 'forks',
      ...(options.env === undefined ? {} : { env: options.env }),
    },
  });
}
