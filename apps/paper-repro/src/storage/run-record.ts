import { existsSync, readFileSync } from 'node:fs';
import type { DataProvenance } from '@bregman/datasets';
import type { RunSpec } from '../shared/spec.js';
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
  /**
   * Share of the epoch's steps computed on the live units (`--sparse-aware`; absent for a
   * run trained with the dense step).
   */
  sparseSteps?: number;
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
  /**
   * The data it trained on: the npm package and version, or the directory and its files'
   * sizes and SHA-256 (absent in records written before this field existed).
   */
  data?: { source: string; provenance: DataProvenance };
  /** One entry per finished epoch, epoch 0 first. */
  epochs: EpochRecord[];
  /** The kept model's numbers (best validation accuracy so far). */
  best: BestRecord | null;
  /** Sum of the epochs' wall times, seconds. */
  trainSeconds: number;
  /** Threads that trained it (`--threads`; absent in records written before it existed: 1). */
  threads?: number;
  /** Trained with the sparse-aware step (`--sparse-aware`); absent: the dense step. */
  sparseAware?: boolean;
  /** What was computed on the kept model after training (once done). */
  finish?: FinishRecord;
  /** When the run first started (ISO 8601). */
  startedAt: string;
  /** When its last epoch ended (ISO 8601); absent until it is done. */
  finishedAt?: string;
}

/**
 * A run record that cannot be used: not valid JSON (typically cut short by a crash or a
 * full disk before atomic writes), or JSON that is not a run record of this version. The
 * message names the file, says what is wrong and what to do: delete the file, and that run
 * is trained again (resumed from its checkpoint with `--resume`, if it has one).
 */
export class CorruptRunRecordError extends Error {
  /** `'CorruptRunRecordError'`, for logs and `instanceof`-free checks. */
  override readonly name = 'CorruptRunRecordError';
  /** The record file. */
  readonly path: string;
  /** What is wrong with it. */
  readonly reason: string;

  /**
   * @param path - the record file
   * @param reason - what is wrong with it
   * @param options - the underlying error, if any, as `cause`
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(
      `run record ${path}: ${reason}. Delete the file to rerun that run: it is then trained ` +
        'again (resumed from its checkpoint with --resume, if it has one)',
      options,
    );
    this.path = path;
    this.reason = reason;
  }
}

const STATUSES: ReadonlySet<unknown> = new Set(['running', 'done', 'failed']);
/**
 * The number fields of an {@link EpochRecord}. Any may be `null`: some are `null` where they
 * do not apply, and JSON writes a NaN (a diverged run's loss) as `null`.
 */
const EPOCH_NUMBERS = [
  'trainLoss',
  'trainAccuracy',
  'validationLoss',
  'validationAccuracy',
  'testLoss',
  'testAccuracy',
  'nTotal',
  'nLinear',
  'nConv',
  'l1Norm',
  'lambda',
  'learningRate',
  'seconds',
  'sparseSteps',
];

/**
 * Reads a run record, or `undefined` when there is none.
 *
 * Checks the fields that planning and reporting rely on: `format` 1, a string `key`, an
 * object `spec`, a known `status`, the `backend`, `startedAt` and optional `finishedAt` /
 * `error` strings, `trainSeconds`, `best` (`null` or an object) and every epoch's numbers
 * (a non-negative integer `epoch`; each other number field, where present, a number or `null`).
 *
 * @throws CorruptRunRecordError when the file is not valid JSON or fails these checks. I/O
 * errors (permissions, a directory at `path`) are thrown as they are.
 */
export function readRunRecord(path: string): RunRecord | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CorruptRunRecordError(
      path,
      `not valid JSON (${why}), probably cut short or damaged (${text.length} characters)`,
      { cause: error },
    );
  }
  const problem = recordProblem(record);
  if (problem) throw new CorruptRunRecordError(path, problem);
  return record as RunRecord;
}

/** What makes `value` not a run record of this version, or `undefined`. */
function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  const r = value;
  if (r.format !== 1) {
    return `format ${show(r.format)}, not a run record of this version of paper-repro (format 1)`;
  }
  if (typeof r.key !== 'string') return `key ${show(r.key)} is not a string`;
  if (!isObject(r.spec)) return 'no spec';
  if (!STATUSES.has(r.status)) return `status ${show(r.status)} (allowed: running, done, failed)`;
  for (const field of ['backend', 'startedAt']) {
    if (typeof r[field] !== 'string') return `${field} ${show(r[field])} is not a string`;
  }
  for (const field of ['finishedAt', 'error']) {
    if (r[field] !== undefined && typeof r[field] !== 'string') {
      return `${field} ${show(r[field])} is not a string`;
    }
  }
  if (!isNumber(r.trainSeconds)) return `trainSeconds ${show(r.trainSeconds)} is not a number`;
  if (r.best !== null && !isObject(r.best))
    return `best ${show(r.best)} is neither null nor an object`;
  if (r.finish !== undefined && !isObject(r.finish))
    return `finish ${show(r.finish)} is not an object`;
  if (!Array.isArray(r.epochs)) return 'no list of epochs';
  for (const [i, epoch] of r.epochs.entries()) {
    const problem = epochProblem(epoch);
    if (problem) return `epoch entry #${i}: ${problem}`;
  }
  return undefined;
}

function epochProblem(e: unknown): string | undefined {
  if (!isObject(e)) return 'not an object';
  if (!Number.isSafeInteger(e.epoch) || (e.epoch as number) < 0) {
    return `epoch ${show(e.epoch)} is not a non-negative integer`;
  }
  for (const field of EPOCH_NUMBERS) {
    const v = e[field];
    if (v !== undefined && v !== null && !isNumber(v)) return `${field} ${show(v)} is not a number`;
  }
  if (e.activeNeurons !== undefined) {
    if (!Array.isArray(e.activeNeurons) || !e.activeNeurons.every(isNumber)) {
      return `activeNeurons ${show(e.activeNeurons)} is not a list of numbers`;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

/** A value for a message, cut short: a damaged record can hold anything. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Writes a run record atomically (temp file + rename). */
export function writeRunRecord(path: string, record: RunRecord): void {
  writeFileAtomic(path, `${JSON.stringify(record, null, 1)}\n`);
}
