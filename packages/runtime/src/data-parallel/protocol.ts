import type { DataParallelLoss } from './losses.js';
import type { OptimizerSpec, OptimizerWeight } from './optimizer-replica.js';

/**
 * The messages between the main thread and a worker thread. `postMessage` only signals: the
 * weights, the gradients and the batches lie in `SharedArrayBuffer`s.
 */

/** Builds the replica; answered by {@link ReadyMessage}. */
export interface InitMessage {
  type: 'init';
  /** This thread's index (the main thread is 0): the gradient region it writes. */
  index: number;
  /** `model.toJSON()`: the topology, as a JSON string. */
  topology: string;
  /** The main model's weights' original names (trainable first, then non-trainable). */
  names: string[];
  /** Their unique names on the main thread (`variable.name`), to rename optimizer state. */
  variableNames: string[];
  /** Their shapes. */
  shapes: number[][];
  /** How many of them are trainable. */
  trainable: number;
  /** The backend the thread computes on. */
  backend: 'wasm' | 'cpu';
  /** Module specifiers imported before the model is built. */
  modules: string[];
  /** The loss. */
  loss: DataParallelLoss;
  /** Every weight (in the order of `names`), written by the main thread for a sync. */
  weights: SharedArrayBuffer;
  /** Each thread's results region (gradients, then non-trainable weights), in thread order. */
  regions: SharedArrayBuffer[];
  /** Each thread's shard loss and correct count (two float64 per thread). */
  scalars: SharedArrayBuffer;
  /** The share-weighted sums of the regions (the exchange's `sums`). */
  sums: SharedArrayBuffer;
}

/**
 * Loads the weights region into the replica and rebuilds its optimizer with the main
 * thread's state; answered by {@link DoneMessage}.
 */
export interface SyncMessage {
  type: 'sync';
  /** The optimizer to rebuild. */
  optimizer: OptimizerSpec;
  /** Its state (`getWeights()` of the main thread's). */
  state: OptimizerWeight[];
}

/** Computes one shard and publishes it; answered by {@link DoneMessage}. */
export interface StepMessage {
  type: 'step';
  /** The first sample of this thread's shard. */
  start: number;
  /** One past its last sample (`start` when the thread has no shard in this batch). */
  end: number;
  /** Every shard's size, in thread order. */
  sizes: number[];
  /** The shape of one input sample, and its dtype. */
  xShape: number[];
  xDtype: 'float32' | 'int32';
  /** The shape of one label, and its dtype. */
  yShape: number[];
  yDtype: 'float32' | 'int32';
  /** The whole batch's inputs and labels. */
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
}

/**
 * Every thread has published its shard: sums slice `part` of `parts` of the regions of the
 * last {@link StepMessage}'s shards into the shared sums; answered by {@link DoneMessage}.
 */
export interface ReduceMessage {
  type: 'reduce';
  /** The slice this thread sums (its index). */
  part: number;
  /** How many slices (threads). */
  parts: number;
}

/**
 * Every thread has summed its slice: applies the step of the last {@link StepMessage}
 * to the replica; answered by {@link DoneMessage}.
 */
export interface ApplyMessage {
  type: 'apply';
}

/** Writes every weight of the replica into its results region; answered by {@link DoneMessage}. */
export interface ReadMessage {
  type: 'read';
}

/** What the main thread sends. */
export type ToWorker =
  | InitMessage
  | SyncMessage
  | StepMessage
  | ReduceMessage
  | ApplyMessage
  | ReadMessage;

/** The replica is built and its weights match the main model's. */
export interface ReadyMessage {
  type: 'ready';
  /** The backend it runs on. */
  backend: string;
}

/** A request is done. */
export interface DoneMessage {
  type: 'done';
}

/** A request failed; the thread lives on. */
export interface FailedMessage {
  type: 'failed';
  /** The error's message. */
  message: string;
  /** Its stack, when there is one. */
  stack?: string;
}

/** What a worker thread answers. */
export type FromWorker = ReadyMessage | DoneMessage | FailedMessage;
