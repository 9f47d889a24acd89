import { existsSync, readFileSync } from 'node:fs';
import type { RunSpec } from '../spec.js';
import { writeFileAtomic } from './atomic-write.js';

/** What a run measured after one epoch (epoch 0: the initialization, before training). */
export interface EpochRecord {
  /** 0 for the state before training, then 1, 2, …. */
  epoch: number;
  /** Mean training loss over the epoch's batches (`null` at epoch 0). */
  trainLoss: number | null;
  /** Training accuracy over the epoch's batches, in [0, 1] (`null` at epoch 0). */
  trainAccuracy: number | null;
  /** Validation loss and accuracy after the epoch (accuracy `null` for a regression loss). */
  validationLoss: number;
  /** See {@link EpochRecord.validationLoss}. */
  validationAccuracy: number | null;
  /** Test loss and accuracy after the epoch. */
  testLoss: number;
  /** See {@link EpochRecord.testLoss}. */
  testAccuracy: number | null;
  /** N_total: non-zero share of all Dense and Conv2D kernel entries, in [0, 1]. */
  nTotal: number;
  /** N_linear: non-zero share of the Dense kernel entries (`null` without Dense layers). */
  nLinear: number | null;
  /** N_conv: share of non-zero conv kernels `K_{i,j}` (`null` without Conv2D layers). */
  nConv: number | null;
  /** Active neurons (Dense) / filters (Conv2D) per layer, in layer order. */
  activeNeurons: number[];
  /** ℓ1 norm of all kernels. */
  l1Norm: number;
  /** λ of the regularizers in use (the largest if several; 0 for none). */
  lambda: number;
  /** Learning rate during the epoch. */
  learningRate: number;
  /** Wall time of the epoch in seconds (training and evaluation). */
  seconds: number;
}

/**
 * The epoch whose model is kept: best validation accuracy (the first of ties), or lowest
 * validation loss for a regression loss.
 */
export interface BestRecord {
  /** Its epoch. */
  epoch: number;
  /** Its validation loss. */
  validationLoss: number;
  /** Its validation accuracy. */
  validationAccuracy: number | null;
  /** The test accuracy of that model: what the paper's tables report. */
  testAccuracy: number | null;
  /** Its training accuracy (over that epoch's batches). */
  trainAccuracy: number | null;
  /** Its N_total / N_linear / N_conv. */
  nTotal: number;
  /** See {@link EpochRecord.nLinear}. */
  nLinear: number | null;
  /** See {@link EpochRecord.nConv}. */
  nConv: number | null;
}

/** The kept model measured once training is done (and again after thresholding). */
export interface ModelReport {
  /** Test loss and accuracy. */
  testLoss: number;
  /** See {@link ModelReport.testLoss}. */
  testAccuracy: number | null;
  /** Accuracy on the training images in inference mode (`null` if not asked for). */
  trainAccuracy: number | null;
  /** How many training images that accuracy is over. */
  trainImages: number;
  /** N_total / N_linear / N_conv of the model. */
  nTotal: number;
  /** See {@link EpochRecord.nLinear}. */
  nLinear: number | null;
  /** See {@link EpochRecord.nConv}. */
  nConv: number | null;
  /** Active neurons / filters per layer. */
  activeNeurons: number[];
}

/** What a run computed on its kept model after training (see the spec's `finish`). */
export interface FinishRecord {
  /** The kept model. */
  kept: ModelReport;
  /** The kept model after thresholding, when the method asks for it. */
  thresholded?: ModelReport & { epsilon: number };
  /** `compact()` of the kept model: widths and parameter counts. */
  compacted?: {
    /** Units per Dense / Conv2D layer before and after. */
    layers: Array<{ name: string; before: number; after: number }>;
    /** Parameters before and after. */
    paramsBefore: number;
    /** See above. */
    paramsAfter: number;
  };
  /** Files written beside the record (snapshots, samples), relative to the results directory. */
  artifacts: string[];
}

/** `results/<experiment>/runs/<run-id>.json`: a run's spec and everything it measured so far. */
export interface RunRecord {
  /** Format version. */
  format: 1;
  /** Hash of the spec: a record is reused only for the same configuration. */
  key: string;
  /** The run's spec. */
  spec: RunSpec;
  /** `running` until the last epoch is written, then `done`; `failed` with {@link RunRecord.error}. */
  status: 'running' | 'done' | 'failed';
  /** Why the run failed. */
  error?: string;
  /** The backend that trained it, e.g. `wasm`. */
  backend: string;
  /** One entry per finished epoch, epoch 0 first. */
  epochs: EpochRecord[];
  /** The kept model's numbers (best validation accuracy so far). */
  best: BestRecord | null;
  /** Sum of the epochs' wall times, seconds. */
  trainSeconds: number;
  /** What was computed on the kept model after training (once done). */
  finish?: FinishRecord;
  /** When the run first started (ISO 8601). */
  startedAt: string;
  /** When its last epoch ended (ISO 8601); absent until it is done. */
  finishedAt?: string;
}

/** Reads a run record, or `undefined` when there is none. */
export function readRunRecord(path: string): RunRecord | undefined {
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  if (record.format !== 1 || typeof record.key !== 'string' || !Array.isArray(record.epochs)) {
    throw new Error(`${path}: not a run record of this version of paper-repro`);
  }
  return record;
}

/** Writes a run record atomically (temp file + rename). */
export function writeRunRecord(path: string, record: RunRecord): void {
  writeFileAtomic(path, `${JSON.stringify(record, null, 1)}\n`);
}
