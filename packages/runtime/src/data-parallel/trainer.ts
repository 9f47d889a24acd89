import type { LayersModel } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { BatchInput } from './batch.js';
import { type CheckedInput, checkInput, inputValues, leadingRows } from './batch.js';
import { type Batches, type DataParallelHistory, type FitOptions, fitEpochs } from './fit.js';
import { InputRegion } from './input-region.js';
import { type DataParallelLoss, isClassificationLoss } from './losses.js';
import { checkOptions, type DataParallelOptions } from './options.js';
import type { DoneMessage, StepMessage } from './protocol.js';
import { ReplicaThread } from './replica-thread.js';
import { type ShardGradients, shardGradients } from './shard-gradients.js';
import { shardSizes } from './shards.js';
import { TensorLayout, tensorFromShared } from './shared-tensors.js';
import { workerScript } from './worker-script.js';

/** What {@link DataParallelTrainer.step} returns: the batch's mean loss (and accuracy). */
export interface StepLogs {
  /** The mean loss over the whole batch. */
  loss: number;
  /** The fraction of the batch classified right (argmax), for the classification losses only. */
  acc?: number;
}

/**
 * One training run on several cores: data parallelism over `node:worker_threads`, each
 * thread with its own tfjs engine and backend (a `tfjs-backend-wasm` process computes on one
 * core; its threaded build cannot start in Node, tfjs #3830).
 *
 * Each {@link DataParallelTrainer.step} splits the batch into `workers` contiguous shards
 * (sizes differ by at most 1; fewer shards when the batch has fewer samples). The main thread
 * computes the first on `model` itself, on its active backend; worker thread `k` computes
 * shard `k` on its replica. Each computes the gradient of its shard's mean loss; the main
 * thread sums them in a fixed order (shard 0, 1, …), each weighted by its share of the batch
 * (`size / batchSize`) — the gradient of the whole batch's mean loss, the same from run to run
 * — and calls `optimizer.applyGradients` once. The replicas load the main model's weights at
 * the start of every step, so changes made to `model` between steps (callbacks,
 * `setWeights`) reach them.
 *
 * Transport: the weights (one region for all, written by the main thread), each thread's
 * gradients (one region per thread) and the batch (a region for the inputs and one for the
 * labels, grown when a larger batch comes) are `Float32Array`s on `SharedArrayBuffer`s
 * allocated once; `postMessage` only signals.
 *
 * BatchNorm: each shard normalizes with its own batch statistics (as PyTorch's
 * DistributedDataParallel without SyncBatchNorm), and each replica moves its running mean and
 * variance toward its own shard's. After the step the non-trainable weights (these statistics)
 * are averaged over the shards, in shard order, weighted by shard size, and written to `model`;
 * the replicas load them with the next step's weights. Results differ from one-thread
 * training only through these per-shard statistics (and dropout, whose masks each thread
 * draws for itself); without BatchNorm or dropout they are the same up to float rounding.
 *
 * A step that fails in a thread (an error, a crash, an exit) rejects with an error that names
 * the thread and its error; the trainer is then unusable (every later step rejects): dispose
 * it. Worker threads do not keep the process alive between steps.
 *
 * @example
 * ```ts
 * const trainer = await DataParallelTrainer.create({
 *   model,
 *   optimizer: tf.train.sgd(0.1),
 *   loss: 'softmaxCrossEntropy',
 *   workers: 2,
 * });
 * const { loss, acc } = await trainer.step(x, labels);
 * await trainer.dispose();
 * ```
 */
export class DataParallelTrainer {
  /** The model trained (the main thread's; the source of truth). */
  readonly model: LayersModel;
  /** The optimizer (it runs on the main thread). */
  readonly optimizer: tf.Optimizer;
  /** The loss. */
  readonly loss: DataParallelLoss;
  /** Threads that compute, the main thread included (worker threads: `workers − 1`). */
  readonly workers: number;
  /** The backend of the worker threads. */
  readonly backend: 'wasm' | 'cpu';

  private readonly threads: ReplicaThread[];
  private readonly trainable: tf.Variable[];
  private readonly nonTrainable: tf.Variable[];
  private readonly layout: TensorLayout;
  private readonly weights: Float32Array;
  private readonly results: Float32Array[];
  private readonly xRegion = new InputRegion();
  private readonly yRegion = new InputRegion();
  private running = false;
  private broken: Error | null = null;
  private disposed = false;

  private constructor(
    options: ReturnType<typeof checkOptions>,
    threads: ReplicaThread[],
    layout: TensorLayout,
    weights: Float32Array,
    results: Float32Array[],
  ) {
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.loss = options.loss;
    this.workers = options.workers;
    this.backend = options.backend;
    this.threads = threads;
    this.trainable = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.nonTrainable = this.model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
    this.layout = layout;
    this.weights = weights;
    this.results = results;
  }

  /**
   * Checks the options, starts `workers − 1` worker threads and builds a replica of the model
   * in each (from `model.toJSON()`, after importing `modules`, on `backend`). Rejects with a
   * clear error when an option is wrong (naming it and what is allowed) or a thread cannot
   * build the model (e.g. a custom layer its modules do not register); no thread is left
   * running then.
   */
  static async create(options: DataParallelOptions): Promise<DataParallelTrainer> {
    const checked = checkOptions(options);
    const { model } = checked;
    const weights = [...model.trainableWeights, ...model.nonTrainableWeights];
    const layout = new TensorLayout(weights.map((w) => w.shape as number[]));
    const shared = layout.allocate();
    const results: Float32Array[] = [];
    const threads: ReplicaThread[] = [];
    if (checked.workers > 1) {
      const script = workerScript();
      const topology = model.toJSON(null, true) as string;
      for (let i = 1; i < checked.workers; i++) {
        threads.push(new ReplicaThread(i, script));
        results.push(layout.allocate());
      }
      const started = await Promise.allSettled(
        threads.map((thread, i) =>
          thread.request({
            type: 'init',
            topology,
            names: weights.map((w) => w.originalName),
            shapes: layout.shapes as number[][],
            trainable: model.trainableWeights.length,
            backend: checked.backend,
            modules: checked.modules,
            loss: checked.loss,
            weights: shared.buffer as SharedArrayBuffer,
            results: results[i]!.buffer as SharedArrayBuffer,
          }),
        ),
      );
      const failure = started.find((s) => s.status === 'rejected');
      if (failure) {
        await Promise.all(threads.map((t) => t.terminate()));
        throw new Error(`DataParallelTrainer.create: ${(failure.reason as Error).message}`, {
          cause: failure.reason,
        });
      }
    }
    return new DataParallelTrainer(checked, threads, layout, shared, results);
  }

  /**
   * One training step on one batch (`x` and `y`: tensors, or typed arrays with their shapes,
   * with the same number of samples): every thread computes the gradient of its shard, the
   * main thread sums them and applies one optimizer step to `model`. Resolves with the
   * batch's mean loss (and accuracy for a classification loss). A non-finite loss rejects
   * before the optimizer step (the trainable weights stay as they were). Steps run one at a
   * time: await each.
   */
  async step(x: BatchInput, y: BatchInput): Promise<StepLogs> {
    this.checkUsable('step');
    const bx = checkInput('DataParallelTrainer.step: x', x);
    const by = checkInput('DataParallelTrainer.step: y', y);
    this.checkShapes(bx, by);
    this.running = true;
    try {
      return await this.run(bx, by);
    } finally {
      this.running = false;
    }
  }

  /**
   * Trains for `epochs` passes over `batches` (see {@link FitOptions}) with tfjs-style
   * callbacks, and resolves with the history of the epoch logs, like `model.fit`.
   */
  fit(batches: Batches, options: FitOptions = {}): Promise<DataParallelHistory> {
    return fitEpochs(this, batches, options);
  }

  /**
   * Loads the main model's weights into every replica now (every step does this first; call
   * it before {@link DataParallelTrainer.replicaWeights} to see them).
   */
  async syncReplicas(): Promise<void> {
    this.checkUsable('syncReplicas');
    this.running = true;
    try {
      await this.layout.write(this.weights, [...this.trainable, ...this.nonTrainable]);
      await this.all(
        'syncReplicas',
        this.threads.map((t) => t.request({ type: 'sync' })),
      );
    } finally {
      this.running = false;
    }
  }

  /**
   * The weights each worker thread's replica holds now (index 0: worker thread 1), keyed by
   * the main model's variable names, trainable and non-trainable: for checks. After a step a
   * replica holds the weights the step started from, with the running statistics its own shard
   * moved; {@link DataParallelTrainer.syncReplicas} makes them the main model's again.
   */
  async replicaWeights(): Promise<Record<string, Float32Array>[]> {
    this.checkUsable('replicaWeights');
    this.running = true;
    try {
      await this.all(
        'replicaWeights',
        this.threads.map((t) => t.request({ type: 'read' })),
      );
      const names = [...this.trainable, ...this.nonTrainable].map((v) => v.name);
      return this.results.map((region) =>
        Object.fromEntries(names.map((name, i) => [name, this.layout.view(region, i).slice()])),
      );
    } finally {
      this.running = false;
    }
  }

  /**
   * Terminates the worker threads (a step still running rejects). The model and the optimizer
   * stay the caller's. Calling it again does nothing.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  private checkUsable(method: string): void {
    if (this.disposed) throw new Error(`DataParallelTrainer.${method}: the trainer was disposed`);
    if (this.broken) {
      throw new Error(
        `DataParallelTrainer.${method}: a previous step failed, the trainer cannot go on (dispose it): ${this.broken.message}`,
      );
    }
    if (this.running) {
      throw new Error(`DataParallelTrainer.${method}: a step is still running (await it first)`);
    }
  }

  private checkShapes(x: CheckedInput, y: CheckedInput): void {
    if (x.shape[0] !== y.shape[0]) {
      throw new RangeError(
        `DataParallelTrainer.step: x and y must have the same number of samples, got shapes [${x.shape}] and [${y.shape}]`,
      );
    }
    const fits = (shape: number[], expected: (number | null)[]) =>
      shape.length === expected.length &&
      expected.every((d, i) => i === 0 || d === null || d === shape[i]);
    const input = this.model.inputs[0]!.shape;
    if (!fits(x.shape, input)) {
      throw new RangeError(
        `DataParallelTrainer.step: x has shape [${x.shape}], the model takes [${input.map(String)}]`,
      );
    }
    const output = this.model.outputs[0]!.shape;
    if (!fits(y.shape, output)) {
      throw new RangeError(
        `DataParallelTrainer.step: y has shape [${y.shape}], the model gives [${output.map(String)}]`,
      );
    }
  }

  private async run(x: CheckedInput, y: CheckedInput): Promise<StepLogs> {
    const batchSize = x.shape[0]!;
    const sizes = shardSizes(batchSize, this.workers);
    const others: Promise<DoneMessage>[] = [];
    if (sizes.length > 1) {
      // the weights and the batch first: nothing is posted unless all of it is in place
      await this.layout.write(this.weights, [...this.trainable, ...this.nonTrainable]);
      this.xRegion.write(await inputValues(x));
      this.yRegion.write(await inputValues(y));
      let start = sizes[0]!;
      for (let k = 1; k < sizes.length; k++) {
        const message: StepMessage = {
          type: 'step',
          start,
          end: start + sizes[k]!,
          xShape: x.shape.slice(1),
          xDtype: x.dtype,
          yShape: y.shape.slice(1),
          yDtype: y.dtype,
          // a handle on shared memory, not a copy
          x: this.xRegion.buffer!,
          y: this.yRegion.buffer!,
        };
        others.push(this.threads[k - 1]!.request(message));
        start += sizes[k]!;
      }
    }
    let own: ShardGradients | null = null;
    let ownError: unknown = null;
    const x0 = leadingRows(x, sizes[0]!);
    const y0 = leadingRows(y, sizes[0]!);
    try {
      own = shardGradients(this.model, this.trainable, this.loss, x0, y0);
    } catch (error) {
      ownError = error;
    } finally {
      tf.dispose([x0, y0]);
    }
    try {
      const answers = await this.all('step', others);
      if (ownError) throw ownError;
      return await this.combine(own!, answers, sizes, batchSize);
    } finally {
      if (own) tf.dispose([own.loss, ...own.grads, ...(own.correct ? [own.correct] : [])]);
    }
  }

  /** Awaits every thread's answer; the first failure (in thread order) breaks the trainer. */
  private async all(method: string, answers: Promise<DoneMessage>[]): Promise<DoneMessage[]> {
    const settled = await Promise.allSettled(answers);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      const error = failure.reason as Error;
      this.broken = error;
      throw new Error(`DataParallelTrainer.${method}: ${error.message}`, { cause: error });
    }
    return settled.map((s) => (s as PromiseFulfilledResult<DoneMessage>).value);
  }

  private async combine(
    own: ShardGradients,
    answers: DoneMessage[],
    sizes: number[],
    batchSize: number,
  ): Promise<StepLogs> {
    const shares = sizes.map((n) => n / batchSize);
    const ownLoss = (await own.loss.data())[0]!;
    const losses = [ownLoss, ...answers.map((a) => a.loss)];
    const loss = losses.reduce((sum, l, k) => sum + shares[k]! * l, 0);
    if (!Number.isFinite(loss)) {
      const k = losses.findIndex((l) => !Number.isFinite(l));
      const where = k === 0 ? 'the main thread' : this.threads[k - 1]!.label;
      throw new Error(
        `DataParallelTrainer.step: the loss is ${loss} (${losses[k]} on the shard of ${where}); the trainable weights were not updated`,
      );
    }
    tf.tidy(() => {
      const grads: tf.NamedTensorMap = {};
      this.trainable.forEach((variable, i) => {
        let sum = sizes.length === 1 ? own.grads[i]! : tf.mul(own.grads[i]!, shares[0]!);
        for (let k = 1; k < sizes.length; k++) {
          const g = tensorFromShared(this.layout.view(this.results[k - 1]!, i), variable.shape);
          sum = tf.add(sum, tf.mul(g, shares[k]!));
        }
        grads[variable.name] = sum;
      });
      this.optimizer.applyGradients(grads);
      // running statistics: x₀ + Σ_k share_k·(x_k − x₀) in shard order (= Σ share_k·x_k);
      // a weight no shard changed stays bit for bit what it was
      const offset = this.trainable.length;
      this.nonTrainable.forEach((variable, j) => {
        if (sizes.length === 1) return;
        let mean: tf.Tensor = variable;
        for (let k = 1; k < sizes.length; k++) {
          const other = tensorFromShared(
            this.layout.view(this.results[k - 1]!, offset + j),
            variable.shape,
          );
          mean = tf.add(mean, tf.mul(tf.sub(other, variable), shares[k]!));
        }
        variable.assign(mean);
      });
    });
    const logs: StepLogs = { loss };
    if (isClassificationLoss(this.loss)) {
      const ownCorrect = (await own.correct!.data())[0]!;
      const correct = answers.reduce((sum, a) => sum + (a.correct ?? 0), ownCorrect);
      logs.acc = correct / batchSize;
    }
    return logs;
  }
}
