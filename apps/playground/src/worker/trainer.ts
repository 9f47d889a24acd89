import { seededRandom } from '@bregman/runtime/browser';
import * as tf from '@tensorflow/tfjs';
import type { HistoryPoint, Snapshot } from '../protocol.js';
import type { DataTensors } from './data-tensors.js';
import { EpochSums } from './epoch-sums.js';
import { accuracy } from './evaluate.js';
import { readWeights } from './read-weights.js';
import { trainStep } from './train-step.js';

/** How often a snapshot goes to the page while training, in milliseconds. */
export const SNAPSHOT_MS = 700;

/** At most this many steps are queued on a GPU backend before the loop waits for one. */
const STEPS_IN_FLIGHT = 4;

/** The loop gives the worker's message queue a turn at least this often (ms), for `pause`. */
const YIELD_MS = 30;

/** Lets queued messages (pause, compact) run: a macrotask without setTimeout's 4 ms clamp. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** What the trainer works on. */
export interface TrainerInit {
  /** The model. */
  model: tf.LayersModel;
  /** Its optimizer. */
  optimizer: tf.Optimizer;
  /** Training images. */
  train: DataTensors;
  /** Validation images. */
  validation: DataTensors;
  /** Mini-batch size (≤ the training images). */
  batchSize: number;
  /** Seed of the batch order. */
  seed: number;
  /** Receives each snapshot. */
  send: (snapshot: Snapshot) => void;
}

/**
 * Trains until paused: epochs of shuffled mini-batches (the last partial batch of an epoch is
 * left out), a snapshot to the page every {@link SNAPSHOT_MS} and at every epoch's end (with
 * the validation accuracy). Throughput is measured twice: samples per second of the training
 * steps alone, and of the wall time in the loop (snapshots and validation included); pauses
 * count in neither.
 */
export class Trainer {
  /** Full batches per epoch. */
  readonly stepsPerEpoch: number;
  private readonly sums = new EpochSums();
  private readonly random: () => number;
  private order: tf.Tensor1D | undefined;
  private step = 0;
  private pending: HistoryPoint[] = [];
  private running: Promise<void> | undefined;
  private stopRequested = false;
  /** Samples and milliseconds: of training steps only, and of wall time in the loop. */
  private total = { samples: 0, stepMs: 0, wallMs: 0 };
  private window = { samples: 0, stepMs: 0 };

  constructor(private readonly init: TrainerInit) {
    if (init.batchSize > init.train.count) {
      throw new RangeError(
        `batchSize must be ≤ the ${init.train.count} training images, got ${init.batchSize}`,
      );
    }
    this.stepsPerEpoch = Math.floor(init.train.count / init.batchSize);
    this.random = seededRandom(init.seed);
  }

  /** The state before training: the initial weights, density and validation accuracy. */
  async initialSnapshot(): Promise<Snapshot> {
    const [weights, validationAccuracy] = await Promise.all([
      readWeights(this.init.model),
      accuracy(this.init.model, this.init.validation),
    ]);
    this.pending.push({ epoch: 0, validationAccuracy, density: weights.density });
    return this.snapshotOf(weights, Number.NaN);
  }

  /** Starts (or resumes) training; resolves when it stops. Does nothing when running. */
  start(): Promise<void> {
    this.stopRequested = false;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Asks the loop to stop after the current step; resolves once it has stopped. */
  async pause(): Promise<void> {
    this.stopRequested = true;
    await this.running;
  }

  /** Frees the trainer's tensors (not the model's or the data's). */
  dispose(): void {
    this.sums.dispose();
    this.order?.dispose();
  }

  private async loop(): Promise<void> {
    const { model, optimizer, train, batchSize } = this.init;
    let lastSnapshot = performance.now();
    let lastYield = lastSnapshot;
    let mark = lastSnapshot;
    /** Adds the time since the last mark to the step time (`steps`) or to the wall time only. */
    const clock = (steps: boolean) => {
      const now = performance.now();
      this.total.wallMs += now - mark;
      if (steps) {
        this.total.stepMs += now - mark;
        this.window.stepMs += now - mark;
      }
      mark = now;
    };
    let inFlight: tf.Tensor[] = [];
    try {
      while (!this.stopRequested) {
        const inEpoch = this.step % this.stepsPerEpoch;
        if (inEpoch === 0) this.shuffle();
        const { loss, correct } = trainStep(
          model,
          optimizer,
          train,
          this.order!,
          inEpoch * batchSize,
          batchSize,
        );
        inFlight.push(tf.clone(correct));
        this.sums.add(loss, correct, batchSize);
        this.step += 1;
        this.total.samples += batchSize;
        this.window.samples += batchSize;
        if (inFlight.length >= STEPS_IN_FLIGHT) {
          await inFlight.at(-1)!.data(); // a GPU backend runs ahead of the loop: catch up
          for (const t of inFlight) t.dispose();
          inFlight = [];
        }
        const now = performance.now();
        if (this.step % this.stepsPerEpoch === 0 || now - lastSnapshot >= SNAPSHOT_MS) {
          await inFlight.at(-1)?.data(); // the steps' time is theirs, not the snapshot's
          clock(true);
          await this.sendSnapshot(this.step % this.stepsPerEpoch === 0);
          clock(false);
          lastSnapshot = performance.now();
        } else if (now - lastYield >= YIELD_MS) {
          await yieldToMessages();
          lastYield = performance.now();
        }
      }
      clock(true);
      await this.sendSnapshot(false);
      clock(false);
    } finally {
      for (const t of inFlight) t.dispose();
    }
  }

  /** A new random order of the training images for the next epoch. */
  private shuffle(): void {
    const n = this.init.train.count;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    this.order?.dispose();
    this.order = tf.tensor1d(order, 'int32');
  }

  /** Sends a snapshot; at an epoch's end with the validation accuracy, and starts a new epoch. */
  private async sendSnapshot(epochEnd: boolean): Promise<void> {
    const [sums, weights, validationAccuracy] = await Promise.all([
      this.sums.read(),
      readWeights(this.init.model),
      epochEnd ? accuracy(this.init.model, this.init.validation) : undefined,
    ]);
    if (this.sums.batches > 0) {
      this.pending.push({
        epoch: this.step / this.stepsPerEpoch,
        trainAccuracy: sums.accuracy,
        ...(validationAccuracy === undefined ? {} : { validationAccuracy }),
        density: weights.density,
      });
    }
    if (epochEnd) this.sums.reset();
    this.init.send(this.snapshotOf(weights, sums.loss));
  }

  private snapshotOf(weights: Awaited<ReturnType<typeof readWeights>>, loss: number): Snapshot {
    const perSecond = (samples: number, ms: number) => (ms > 0 ? (samples / ms) * 1000 : 0);
    const snapshot: Snapshot = {
      ...weights,
      step: this.step,
      epoch: this.step / this.stepsPerEpoch,
      loss,
      samplesPerSecond: perSecond(this.window.samples, this.window.stepMs),
      samplesPerSecondOverall: perSecond(this.total.samples, this.total.stepMs),
      samplesPerSecondWall: perSecond(this.total.samples, this.total.wallMs),
      points: this.pending,
    };
    this.pending = [];
    this.window = { samples: 0, stepMs: 0 };
    return snapshot;
  }
}
