import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10_FILE_NAMES, IDX_FILE_NAMES } from '@bregman/datasets';
import { describe, expect, it } from 'vitest';
import { checkDataDir, DataDirError } from './data-dir.js';

function dir(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'data-dir-'));
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}
const idx = Object.values(IDX_FILE_NAMES);

describe('checkDataDir', () => {
  it('without --data-dir every dataset comes from its package', () => {
    expect(checkDataDir(undefined, ['mnist'])).toEqual([{ dataset: 'mnist' }]);
  });

  it('an empty directory is refused', () => {
    const root = dir([]);
    expect(() => checkDataDir(root, ['mnist'])).toThrow(DataDirError);
    expect(() => checkDataDir(root, ['mnist'])).toThrow(
      `--data-dir ${root} holds none of mnist/, fashion-mnist/, cifar-10-batches-bin/; it is empty`,
    );
  });

  it('IDX files at the top level are refused with where they belong', () => {
    const root = dir(idx);
    expect(() => checkDataDir(root, ['mnist'])).toThrow(
      new RegExp(
        `holds .*train-images-idx3-ubyte.* at its top level: move MNIST's files into ${root}/mnist/`,
      ),
    );
  });

  it('CIFAR-10 batches at the top level are refused with where they belong', () => {
    const root = dir(['data_batch_1.bin', 'test_batch.bin']);
    expect(() => checkDataDir(root, ['cifar10'])).toThrow(
      `move them into ${join(root, 'cifar-10-batches-bin')}/`,
    );
  });

  it('a dataset directory missing files names them', () => {
    const root = dir([join('mnist', idx[0]!), join('mnist', `${idx[1]!}.gz`)]);
    expect(() => checkDataDir(root, ['mnist'])).toThrow(
      `--data-dir: ${join(root, 'mnist')} lacks ${idx[2]} or ${idx[2]}.gz, ${idx[3]} or ${idx[3]}.gz`,
    );
  });

  it('uses the subdirectories that are there (plain or .gz) and the packages for the others', () => {
    const cifar = [...CIFAR10_FILE_NAMES.train, CIFAR10_FILE_NAMES.test];
    const root = dir([
      ...idx.map((f) => join('mnist', `${f}.gz`)),
      ...cifar.map((f) => join('cifar-10-batches-bin', f)),
    ]);
    expect(checkDataDir(root, ['mnist', 'fashion-mnist', 'cifar10', 'cifar10-synthetic'])).toEqual([
      { dataset: 'mnist', dir: join(root, 'mnist') },
      { dataset: 'fashion-mnist' },
      { dataset: 'cifar10', dir: join(root, 'cifar-10-batches-bin') },
      { dataset: 'cifar10-synthetic' },
    ]);
  });
});
