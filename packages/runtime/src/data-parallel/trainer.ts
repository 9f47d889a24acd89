import type { LayersModel } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { BatchInput } from './batch.js';
import { type CheckedInput, checkInput, leadingRows } from './batch.js';
import { type Batches, type DataParallelHistory, type FitOptions, fitEpochs } from './fit.js';
import { GradientExchange } from './gradient-exchange.js';
import { InputRegion } from './input-region.js';
import { type DataParallelLoss, isClassificationLoss } from './losses.js';
import { NonFiniteLossError } from './non-finite-loss.js';
import { describeOptimizer, readOptimizerState } from './optimizer-replica.js';
import { checkOptions, type DataParallelOptions } from './options.js';
import type { DoneMessage, StepLoopMessage } from './protocol.js';
import { ReplicaThread } from './replica-thread.js';
import { ReplicaVersion } from './replica-version.js';
import { publishShard, shardGradients } from './shard-gradients.js';
import { shardSizes } from './shards.js';
import { entriesOf, TensorLayout } from './shared-tensors.js';
import { StepBarriers } from './step-barriers.js';
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
 * Every thread holds a replica of the model and of the optimizer (rebuilt from
 * `model.toJSON()` and from the optimizer's class and `getConfig()`, with the main thread's
 * weights and optimizer state loaded); the main thread's are `model` and `optimizer`
 * themselves. Each {@link DataParallelTrainer.step} splits the batch into `workers`
 * contiguous shards (sizes differ by at most 1; fewer shards when the batch has fewer
 * samples); thread `k` computes the gradient of shard `k`'s mean loss and publishes it. Once
 * all have, the threads sum the gradients, each thread `1/workers` of the entries (a
 * reduce-scatter: the work per thread does not grow with the number of threads), every entry
 * in the same fixed order (shard 0, 1, …), each shard weighted by its share of the batch
 * (`size / batchSize`) — the gradient of the whole batch's mean loss, the same from run to
 * run — and then every thread applies one `optimizer.applyGradients` of the sums to its own
 * weights (an all-reduce, as PyTorch's DistributedDataParallel does): every thread
 * computes the same update at the same time, no weights travel, and the replicas stay equal
 * to `model` bit for bit. Changes made on the main thread between steps — `model.setWeights`,
 * a variable's `assign`, `optimizer.setWeights`, a learning-rate or λ schedule that changes
 * the optimizer's config — are noticed at the next step, which first loads the weights and
 * the optimizer (with its state) into every replica again.
 *
 * Transport: each thread's gradients (one region per thread) and their sums lie in one shared
 * `WebAssembly.Memory` (summed there in WebAssembly SIMD); the weights for a reload and the
 * batch (a region for the inputs and one for the labels, grown when a larger batch comes) in
 * `SharedArrayBuffer`s; all allocated once. A step sends no message: each
 * worker thread runs a step loop that waits in shared memory for the main thread to post the
 * next step (its number and batch size), restarted (one message per thread) only when the
 * samples change shape or dtype or outgrow the buffers, and stopped before the threads are
 * asked anything else. Within the step the threads meet at two barriers in shared memory
 * (`Atomics`: every shard published, every slice summed). `step` resolves once the main
 * thread's replica is updated; the worker threads finish updating theirs meanwhile.
 *
 * BatchNorm: each shard normalizes with its own batch statistics (as DistributedDataParallel
 * without SyncBatchNorm), and each replica moves its running mean and variance toward its own
 * shard's. After the step the non-trainable weights (these statistics) are averaged over the
 * shards, in shard order, weighted by shard size, in every thread. Results differ from
 * one-thread training only through these per-shard statistics (and dropout, whose masks each
 * thread draws for itself); without BatchNorm or dropout they are the same up to float
 * rounding.
 *
 * A step that fails in a thread (an error, a crash, an exit) rejects with an error that names
 * the thread and its error — or, when the thread fails in its optimizer update (after the main
 * thread applied the step), the next call does; the trainer is then unusable (every later step
 * rejects): dispose it. Worker threads do not keep the process alive between steps.
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
  /** The model trained (the main thread's replica, which the others follow). */
  readonly model: LayersModel;
  /** The optimizer (the main thread's replica). */
  readonly optimizer: tf.Optimizer;
  /** The loss. */
  readonly loss: DataParallelLoss;
  /** Threads that compute, the main thread included (worker threads: `workers − 1`). */
  readonly workers: number;
  /** The backend of every thread. */
  readonly backend: 'wasm' | 'cpu';

  private readonly threads: ReplicaThread[];
  private readonly variables: tf.Variable[];
  private readonly trainable: tf.Variable[];
  private readonly layout: TensorLayout;
  private readonly weights: Float32Array;
  /** The threads' gradient exchange (null with one thread). */
  private readonly exchange: GradientExchange | null;
  private readonly barriers: StepBarriers;
  private readonly version: ReplicaVersion;
  private readonly xRegion = new InputRegion();
  private readonly yRegion = new InputRegion();
  private running = false;
  /** The worker threads' step loops while they run: what started them, and their answers. */
  private loops: { message: StepLoopMessage; answers: Promise<DoneMessage>[] } | null = null;
  private broken: Error | null = null;
  private disposed = false;

  private constructor(
    options: ReturnType<typeof checkOptions>,
    threads: ReplicaThread[],
    layout: TensorLayout,
    weights: Float32Array,
    exchange: GradientExchange | null,
    barriers: StepBarriers,
  ) {
    this.model = options.model;
    this.optimizer = options.optimizer;
    this.loss = options.loss;
    this.workers = options.workers;
    this.backend = options.backend;
    this.threads = threads;
    this.variables = [...this.model.trainableWeights, ...this.model.nonTrainableWeights].map(
      (w) => w.read() as tf.Variable,
    );
    this.trainable = this.variables.slice(0, this.model.trainableWeights.length);
    this.layout = layout;
    this.weights = weights;
    this.exchange = exchange;
    this.barriers = barriers;
    this.version = new ReplicaVersion(this.variables, this.optimizer);
  }

  /**
   * Checks the options, starts `workers − 1` worker threads and builds a replica of the model
   * and of the optimizer in each (after importing `modules`, on `backend`), with the main
   * thread's weights and optimizer state. Rejects with a clear error when an option is wrong
   * (naming it and what is allowed), when the optimizer cannot be rebuilt from its class and
   * config, or when a thread cannot build the model or the optimizer (e.g. a custom layer or
   * an optimizer class its modules do not register); no thread is left running then.
   */
  static async create(options: DataParallelOptions): Promise<DataParallelTrainer> {
    const checked = checkOptions(options);
    const { model } = checked;
    const weights = [...model.trainableWeights, ...model.nonTrainableWeights];
    const layout = new TensorLayout(weights.map((w) => w.shape as number[]));
    const shared = layout.allocate();
    // the exchange's memory, with one thread: none
    const { memory, scalars } =
      checked.workers > 1
        ? GradientExchange.allocate(layout, checked.workers)
        : { memory: null, scalars: null };
    const exchange =
      memory && scalars
        ? new GradientExchange(
            layout,
            model.trainableWeights.length,
            memory,
            scalars,
            checked.workers,
            0,
          )
        : null;
    const barriers = new StepBarriers(StepBarriers.allocate(), checked.workers);
    const threads: ReplicaThread[] = [];
    if (checked.workers > 1) {
      describeOptimizer(
        checked.optimizer,
        model.trainableWeights.map((w) => w.name),
      );
      const script = workerScript();
      const topology = model.toJSON(null, true) as string;
      for (let i = 1; i < checked.workers; i++) threads.push(new ReplicaThread(i, script));
      const started = await Promise.allSettled(
        threads.map((thread, i) =>
          thread.request({
            type: 'init',
            index: i + 1,
            topology,
            names: weights.map((w) => w.originalName),
            variableNames: weights.map((w) => w.name),
            shapes: layout.shapes as number[][],
            trainable: model.trainableWeights.length,
            backend: checked.backend,
            modules: checked.modules,
            loss: checked.loss,
            weights: shared.buffer as SharedArrayBuffer,
            exchange: memory!,
            scalars: scalars!.buffer as SharedArrayBuffer,
            barriers: barriers.counters.buffer as SharedArrayBuffer,
            threads: checked.workers,
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
    const trainer = new DataParallelTrainer(checked, threads, layout, shared, exchange, barriers);
    try {
      await trainer.sync('create');
    } catch (error) {
      await trainer.dispose();
      throw new Error(
        (error as Error).message.replace('DataParallelTrainer.sync', 'DataParallelTrainer.create'),
        { cause: error },
      );
    }
    return trainer;
  }

  /**
   * One training step on one batch (`x` and `y`: tensors, or typed arrays with their shapes,
   * with the same number of samples): every thread computes the gradient of its shard, then
   * applies the whole batch's gradient to its replica (`model` on the main thread). Resolves
   * with the batch's mean loss (and accuracy for a classification loss). A non-finite loss
   * rejects with a {@link NonFiniteLossError} before the optimizer step (the trainable weights
   * stay as they were, in every thread). Steps run one at a time: await each.
   */
  async step(x: BatchInput, y: BatchInput): Promise<StepLogs> {
    this.checkUsable('step');
    const bx = checkInput('DataParallelTrainer.step: x', x);
    const by = checkInput('DataParallelTrainer.step: y', y);
    this.checkShapes(bx, by);
    this.running = true;
    try {
      return this.threads.length === 0 ? await this.runAlone(bx, by) : await this.run(bx, by);
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
   * Loads the main thread's weights and optimizer (rebuilt from its config, with its state)
   * into every replica now. Each step does this first when something changed them on the
   * main thread; call it to see them in {@link DataParallelTrainer.replicaWeights} before.
   */
  async syncReplicas(): Promise<void> {
    this.checkUsable('syncReplicas');
    this.running = true;
    try {
      await this.sync('syncReplicas');
    } finally {
      this.running = false;
    }
  }

  /**
   * The weights each worker thread's replica holds now (index 0: worker thread 1), keyed by
   * the main model's variable names, trainable and non-trainable: for checks. After a step
   * they equal the main model's.
   */
  async replicaWeights(): Promise<Record<string, Float32Array>[]> {
    this.checkUsable('replicaWeights');
    this.running = true;
    try {
      await this.stopLoops('replicaWeights');
      await this.all(
        'replicaWeights',
        this.threads.map((t) => t.request({ type: 'read' })),
      );
      const names = this.variables.map((v) => v.name);
      return this.threads.map((_, k) => {
        const region = this.exchange!.regions[k + 1]!;
        return Object.fromEntries(
          names.map((name, i) => [name, this.layout.view(region, i).slice()]),
        );
      });
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

  /** Makes every replica equal to the main thread's model and optimizer. */
  private async sync(method: string): Promise<void> {
    if (this.threads.length > 0) {
      await this.stopLoops(method);
      await this.layout.write(this.weights, this.variables);
      const names = this.trainable.map((v) => v.name);
      const message = {
        type: 'sync' as const,
        optimizer: describeOptimizer(this.optimizer, names),
        state: await readOptimizerState(this.optimizer),
      };
      await this.all(
        method,
        this.threads.map((t) => t.request(message)),
      );
    }
    await this.version.record();
  }

  /** One step with no worker thread: the main thread's shard is the batch. */
  private async runAlone(x: CheckedInput, y: CheckedInput): Promise<StepLogs> {
    const bx = leadingRows(x, x.shape[0]!);
    const by = leadingRows(y, y.shape[0]!);
    let result: ReturnType<typeof shardGradients> | null = null;
    try {
      result = shardGradients(this.model, this.trainable, this.loss, bx, by);
      const loss = (await result.loss.data())[0]!;
      const correct = result.correct ? (await result.correct.data())[0]! : null;
      this.checkFinite(loss, [loss]);
      const grads: tf.NamedTensorMap = {};
      this.trainable.forEach((v, i) => {
        grads[v.name] = result!.grads[i]!;
      });
      this.optimizer.applyGradients(grads);
      return this.stepLogs(loss, correct, x.shape[0]!);
    } finally {
      tf.dispose([bx, by]);
      if (result)
        tf.dispose([result.loss, ...result.grads, ...(result.correct ? [result.correct] : [])]);
    }
  }

  private async run(x: CheckedInput, y: CheckedInput): Promise<StepLogs> {
    if (this.barriers.aborted) await this.failedLoops('step');
    if (await this.version.changed()) await this.sync('step');
    const batchSize = x.shape[0]!;
    const sizes = shardSizes(batchSize, this.workers);
    // the worker threads' samples (the main thread's shard is read where it is)
    this.xRegion.write(x.values ?? entriesOf(x.tensor!), sizes[0]! * x.rowSize);
    this.yRegion.write(y.values ?? entriesOf(y.tensor!), sizes[0]! * y.rowSize);
    await this.startLoops(x, y);
    const step = this.barriers.post(batchSize);
    for (const thread of this.threads) thread.hold(true);
    try {
      return await this.runPosted(step, x, y, sizes);
    } finally {
      for (const thread of this.threads) thread.hold(false);
    }
  }

  /** The main thread's part of posted step `step`. */
  private async runPosted(
    step: number,
    x: CheckedInput,
    y: CheckedInput,
    sizes: number[],
  ): Promise<StepLogs> {
    const exchange = this.exchange!; // there are worker threads
    const x0 = leadingRows(x, sizes[0]!);
    const y0 = leadingRows(y, sizes[0]!);
    let failed = false;
    let failure: unknown;
    try {
      publishShard(exchange, 0, this.model, this.variables, this.loss, x0, y0);
    } catch (error) {
      // the threads skip the step too; the trainer goes on
      this.barriers.markFailed(step);
      [failed, failure] = [true, error];
    } finally {
      tf.dispose([x0, y0]);
    }
    if (failed) {
      this.barriers.arrive('published');
      await this.skipped(step);
      throw failure;
    }
    // the threads meet in shared memory: every shard published, then every slice summed
    this.barriers.arrive('published');
    if (!(await this.barriers.waitFor('published', step)) || this.barriers.failed(step)) {
      await this.failedLoops('step');
    }
    const { loss, losses, correct } = exchange.logs(sizes);
    if (!Number.isFinite(loss)) {
      await this.skipped(step); // every thread skips the step alike
      this.checkFinite(loss, losses);
    }
    exchange.reduce(sizes, 0, this.workers);
    this.barriers.arrive('reduced');
    if (!(await this.barriers.waitFor('reduced', step))) await this.failedLoops('step');
    try {
      exchange.apply(this.variables, this.optimizer);
    } catch (error) {
      // the replicas applied the step, the main thread did not: they differ now
      this.broken = error as Error;
      throw error;
    }
    await this.version.record();
    return this.stepLogs(
      loss,
      correct,
      sizes.reduce((a, b) => a + b, 0),
    );
  }

  /**
   * The main thread's end of step `step`, which every thread skips (a shard failed, or the loss
   * is not finite): it arrives at `reduced`, as the others do, and waits until they have — past
   * that, no thread reads this step's flags or losses any more, which the next step overwrites.
   */
  private async skipped(step: number): Promise<void> {
    this.barriers.arrive('reduced');
    await this.barriers.waitFor('reduced', step); // false: a thread is gone; the next call says so
  }

  /**
   * Starts the worker threads' step loops for batches like `x` and `y` (their sample shapes,
   * dtypes and buffers), unless loops for such batches run already; stops other loops first.
   */
  private async startLoops(x: CheckedInput, y: CheckedInput): Promise<void> {
    const message: StepLoopMessage = {
      type: 'steps',
      after: this.barriers.posted,
      xShape: x.shape.slice(1),
      xDtype: x.dtype,
      yShape: y.shape.slice(1),
      yDtype: y.dtype,
      // handles on shared memory, not copies
      x: this.xRegion.buffer!,
      y: this.yRegion.buffer!,
    };
    const running = this.loops?.message;
    const same =
      running &&
      running.x === message.x &&
      running.y === message.y &&
      running.xDtype === message.xDtype &&
      running.yDtype === message.yDtype &&
      running.xShape.join() === message.xShape.join() &&
      running.yShape.join() === message.yShape.join();
    if (same) return;
    await this.stopLoops('step');
    this.barriers.resume();
    const answers = this.threads.map((thread) => {
      const answer = thread.request(message, { keepAlive: false });
      // a thread that fails (throws, exits, crashes) releases the others from the barriers
      answer.catch(() => this.barriers.abort());
      return answer;
    });
    this.loops = { message, answers };
  }

  /** Ends the worker threads' step loops (each after the step it is in), if they run. */
  private async stopLoops(method: string): Promise<void> {
    const loops = this.loops;
    if (!loops) return;
    this.loops = null;
    this.barriers.stop();
    for (const thread of this.threads) thread.hold(true);
    try {
      await this.all(method, loops.answers);
    } finally {
      for (const thread of this.threads) thread.hold(false);
    }
  }

  /** After a thread abandoned a step: rejects with its error (the trainer is broken then). */
  private async failedLoops(method: string): Promise<never> {
    await this.stopLoops(method); // rejects, naming the thread that failed
    this.broken ??= new Error('a thread abandoned the step');
    throw new Error(`DataParallelTrainer.${method}: a thread abandoned the step`);
  }

  private checkFinite(loss: number, losses: number[]): void {
    if (Number.isFinite(loss)) return;
    const k = losses.findIndex((l) => !Number.isFinite(l));
    const where = k <= 0 ? 'the main thread' : this.threads[k - 1]!.label;
    throw new NonFiniteLossError(
      `DataParallelTrainer.step: the loss is ${loss} (${losses[Math.max(k, 0)]} on the shard of ${where}); the trainable weights were not updated`,
      loss,
    );
  }

  private stepLogs(loss: number, correct: number | null, batchSize: number): StepLogs {
    const logs: StepLogs = { loss };
    if (isClassificationLoss(this.loss)) logs.acc = (correct ?? 0) / batchSize;
    return logs;
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
}
