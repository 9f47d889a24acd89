import type { WasmMemory } from '../wasm-kernels/simd/web-assembly.js';
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
  /**
   * The exchange's shared memory (`GradientExchange.allocate`): each thread's results region
   * (gradients, then non-trainable weights) and their share-weighted sums.
   */
  exchange: WasmMemory | SharedArrayBuffer;
  /** Each thread's shard loss and correct count (two float64 per thread). */
  scalars: SharedArrayBuffer;
  /** The steps' signals and barriers (`StepBarriers.allocate()`). */
  barriers: SharedArrayBuffer;
  /** The threads that compute, the main thread included. */
  threads: number;
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

/**
 * Runs this thread's step loop: waits for each step the main thread posts in shared memory
 * (`StepBarriers.post`: its number and batch size), computes this thread's shard of it and
 * publishes it, meets the other threads at the `published` barrier, sums its slice of every
 * shard's results, meets them at `reduced`, and applies the step to the replica (each part
 * skipped alike by every thread when a shard failed or the loss is not finite); until the main
 * thread stops the loops (`StepBarriers.stop`). Answered by {@link DoneMessage} once stopped,
 * or by {@link FailedMessage} when a step fails in this thread (which ends the loop). The
 * batches' samples have the shapes and dtypes given here; a batch of other ones, or one that
 * needs larger buffers, starts a new loop.
 */
export interface StepLoopMessage {
  type: 'steps';
  /** The last step posted before this loop: the loop runs the steps after it. */
  after: number;
  /** The shape of one input sample, and its dtype. */
  xShape: number[];
  xDtype: 'float32' | 'int32';
  /** The shape of one label, and its dtype. */
  yShape: number[];
  yDtype: 'float32' | 'int32';
  /** The buffers of the batches' inputs and labels, whole batches from sample 0. */
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
}

/** Writes every weight of the replica into its results region; answered by {@link DoneMessage}. */
export interface ReadMessage {
  type: 'read';
}

/** What the main thread sends. */
export type ToWorker = InitMessage | SyncMessage | StepLoopMessage | ReadMessage;

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
