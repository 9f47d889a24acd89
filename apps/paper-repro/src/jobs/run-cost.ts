import type { RunSpec } from '../shared/spec.js';

/** Forward-pass MFLOP per image of each model (rough; only their ratios matter). */
const MFLOP_PER_IMAGE: Record<RunSpec['model']['kind'], number> = {
  mlp: 0.35,
  denoiser: 7.4,
  convNet: 15,
  resnet18: 1100,
};

/** Training images of each dataset after the validation split, when the spec sets no limit. */
const TRAIN_IMAGES: Record<RunSpec['data']['dataset'], number> = {
  mnist: 55000,
  'fashion-mnist': 55000,
  cifar10: 45000,
  'cifar10-synthetic': 256,
};

/**
 * A rough estimate of a run's training work (model MFLOP × images × epochs), used to start
 * the longest runs first so that the workers finish together.
 */
export function runCost(spec: RunSpec): number {
  const images = spec.data.trainLimit ?? TRAIN_IMAGES[spec.data.dataset];
  return MFLOP_PER_IMAGE[spec.model.kind] * images * spec.epochs;
}
