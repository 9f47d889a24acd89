// The messages between the page and a training worker (one worker per run).
import type { MnistAsset } from './data/asset-format.js';
import type { BackendRequest, RunSettings } from './settings.js';

/** A message from the page to a worker. */
export type ToWorker =
  | {
      /** Set up the run: backend, data, model, optimizer; answered by `ready` or `failed`. */
      type: 'init';
      settings: RunSettings;
      data: MnistAsset;
      /** Absolute URL of the directory with tfjs-backend-wasm's `.wasm` files. */
      wasmUrl: string;
    }
  | { type: 'start' }
  | { type: 'pause' }
  /** Compact the current model and send it back as tfjs artifacts (`compacted`). */
  | { type: 'compact' };

/** The backend a run got, and why the faster ones were passed over. */
export interface BackendReport {
  /** What the user asked for. */
  requested: BackendRequest;
  /** The tfjs backend that runs. */
  name: string;
  /** A short description, e.g. `wasm (SIMD, 2 threads, + @bregman/runtime kernels)`. */
  detail: string;
  /** The backends passed over, each with the reason. */
  skipped: string[];
}

/** Non-zero weights and live neurons of one Dense kernel. */
export interface LayerStats {
  /** The layer's name (`dense_1`, …). */
  layer: string;
  /** Non-zero entries of the kernel. */
  nonZeros: number;
  /** Entries of the kernel. */
  size: number;
  /** Neurons with a non-zero incoming weight. */
  activeNeurons: number;
  /** Neurons of the layer. */
  neurons: number;
}

/** One point of the curves. */
export interface HistoryPoint {
  /** Epochs done, fractional (steps / steps per epoch). */
  epoch: number;
  /** Accuracy on the training batches of the current epoch so far; absent at epoch 0. */
  trainAccuracy?: number;
  /** Accuracy on the validation images; only at epoch ends (and at 0). */
  validationAccuracy?: number;
  /** Fraction of non-zero weights, all kernels together. */
  density: number;
}

/** The state of a run, sent regularly while it trains. */
export interface Snapshot {
  /** Steps done. */
  step: number;
  /** Epochs done, fractional. */
  epoch: number;
  /** Mean loss of this epoch's training batches so far (NaN before any). */
  loss: number;
  /** Fraction of non-zero weights, all kernels together. */
  density: number;
  /** Per Dense layer, input to output. */
  layers: LayerStats[];
  /** Each kernel's values `[nIn, nOut]` row-major (transferred, not copied). */
  kernels: { shape: [number, number]; values: Float32Array }[];
  /** Samples per second of the training steps since the previous snapshot (0 when none). */
  samplesPerSecond: number;
  /** Samples per second of the training steps since the first step (pauses excluded). */
  samplesPerSecondOverall: number;
  /**
   * Samples per second of wall time since the first step, snapshots and validation included
   * (pauses excluded): how fast the run progresses on the page.
   */
  samplesPerSecondWall: number;
  /** New points of the curves since the previous snapshot. */
  points: HistoryPoint[];
}

/** The compacted model as tfjs's model.json and weights file. */
export interface CompactedModel {
  /** The `model.json` text, pointing at `weightsFile`. */
  modelJson: string;
  /** The weights file's name. */
  weightsFile: string;
  /** The weights. */
  weights: ArrayBuffer;
  /** Parameters before and after. */
  params: { before: number; after: number };
  /** Units per Dense layer before → after. */
  units: { layer: string; before: number; after: number }[];
}

/** A message from a worker to the page. */
export type FromWorker =
  | { type: 'ready'; backend: BackendReport; snapshot: Snapshot; stepsPerEpoch: number }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'paused' }
  | { type: 'compacted'; model: CompactedModel }
  | { type: 'failed'; message: string };
