import type { DataParallelLoss } from './losses.js';

/**
 * The messages between the main thread and a worker thread. `postMessage` only signals: the
 * weights, the gradients and the batches lie in `SharedArrayBuffer`s.
 */

/** Builds the replica; answered by {@link ReadyMessage}. */
export interface InitMessage {
  type: 'init';
  /** `model.toJSON()`: the topology, as a JSON string. */
  topology: string;
  /** The main model's weights' original names (trainable first, then non-trainable). */
  names: string[];
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
  /** Every weight (in the order of `names`), written by the main thread. */
  weights: SharedArrayBuffer;
  /** Written by this thread: its gradients, then its non-trainable weights after the step. */
  results: SharedArrayBuffer;
}

/** Computes one shard; answered by {@link DoneMessage}. */
export interface StepMessage {
  type: 'step';
  /** The first sample of the shard. */
  start: number;
  /** One past its last sample. */
  end: number;
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

/** Loads the weights region into the replica; answered by {@link DoneMessage}. */
export interface SyncMessage {
  type: 'sync';
}

/** Writes every weight of the replica into the results region; answered by {@link DoneMessage}. */
export interface ReadMessage {
  type: 'read';
}

/** What the main thread sends. */
export type ToWorker = InitMessage | StepMessage | SyncMessage | ReadMessage;

/** The replica is built and its weights match the main model's. */
export interface ReadyMessage {
  type: 'ready';
  /** The backend it runs on. */
  backend: string;
}

/** A request is done. */
export interface DoneMessage {
  type: 'done';
  /** The shard's mean loss (steps only, else 0). */
  loss: number;
  /** The samples classified right (classification losses, steps only). */
  correct: number | null;
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
