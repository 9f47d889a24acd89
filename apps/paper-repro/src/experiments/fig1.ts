import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadRunData } from '../data/run-data.js';
import { tileGrid } from '../render/png.js';
import { writeFileAtomic } from '../storage/atomic-write.js';
import { readCheckpoint } from '../storage/checkpoint.js';
import type { Experiment } from './experiment.js';
import { FASHION_PROFILES, fashionRuns, figure1Epochs, tableMethods } from './fashion-convnet.js';

/** Table 2's LinBreg method: Fig. 1 shows its first layer. */
const method = (profile: Parameters<typeof tableMethods>[0]) =>
  tableMethods(profile, true).find((m) => m.id === 'linbreg-group')!;

/** Fig. 1: the first conv layer's 64 feature maps of one test image during LinBreg with group sparsity. */
export const fig1: Experiment = {
  id: 'fig1',
  title: 'Fig. 1 — first-layer feature maps during LinBreg with group sparsity',
  referenceKey: 'fig1',
  setup: (profile) =>
    `The run "LinBreg" of Table 2 (the same training, shared), ${FASHION_PROFILES[profile].epochs} epochs: the 64 ` +
    `feature maps (conv output + bias, before pooling) of the first test image after epochs ${figure1Epochs(profile).join(', ')} ` +
    '(the paper: 0, 5, 20, 100), one panel per epoch, left to right; each panel 8 × 8 maps, grey = 0, ' +
    'scaled by the largest |value| over all panels. A dead kernel gives a flat map (its bias only).',
  runs: (profile, seeds) => fashionRuns('fig1', profile, [method(profile)], seeds),
  figures: [],
  claims: [],
  draw: async (runs, dir, outDir) => {
    const record = runs.methods[0]?.runs[0];
    if (!record?.finish) return [];
    const data = await loadRunData(record.spec.data);
    const { mean, std } = data.standardization;
    const image = tf.tidy(() =>
      tf
        .tensor(data.test.images.subarray(0, 784), [1, 28, 28, 1], 'float32')
        .div(255)
        .sub(mean[0]!)
        .div(std[0]!),
    );
    const panels: Float32Array[] = [];
    for (const file of record.finish.artifacts.filter((f) => f.includes('first-conv-e'))) {
      const snapshot = readCheckpoint(join(outDir, file));
      const [kernel, bias] = snapshot!.tensors;
      const maps = tf.tidy(() =>
        tf
          .conv2d(
            image as tf.Tensor4D,
            tf.tensor4d(
              kernel!.values as Float32Array,
              kernel!.shape as [number, number, number, number],
            ),
            1,
            'valid',
          )
          .add(tf.tensor1d(bias!.values as Float32Array))
          .squeeze([0])
          .transpose([2, 0, 1]),
      );
      panels.push((await maps.data()) as Float32Array);
      maps.dispose();
    }
    image.dispose();
    const side = 24;
    const limit =
      Math.max(...panels.map((p) => p.reduce((m, v) => Math.max(m, Math.abs(v)), 0))) || 1;
    const tiles = panels.flatMap((panel) =>
      // per panel: 64 maps in an 8 × 8 block, blocks side by side
      Array.from({ length: 64 }, (_, k) => ({
        height: side,
        width: side,
        values: panel.subarray(k * side * side, (k + 1) * side * side),
      })),
    );
    // reorder so that each epoch is an 8 × 8 block: rows of the image interleave the panels
    const ordered = Array.from({ length: 8 }).flatMap((_, row) =>
      panels.flatMap((_, p) => tiles.slice(p * 64 + row * 8, p * 64 + row * 8 + 8)),
    );
    const path = join(dir, 'fig1.png');
    writeFileAtomic(
      path,
      tileGrid(ordered, { columns: 8 * panels.length, low: -limit, high: limit, gap: 1, scale: 2 }),
    );
    return [path];
  },
};
