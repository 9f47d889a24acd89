// The script of a data-parallel worker thread: one replica of the model on its own tfjs
// engine and backend. It answers the main thread's messages one at a time (see protocol.ts).
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { captureWarnings } from '../console-capture.js';
import { startWasmBackend } from '../wasm-backend.js';
import { GradientExchange } from './gradient-exchange.js';
import { regionView } from './input-region.js';
import type { DataParallelLoss } from './losses.js';
import { loadOptimizerState, rebuildOptimizer } from './optimizer-replica.js';
import type {
  FromWorker,
  InitMessage,
  StepLoopMessage,
  SyncMessage,
  ToWorker,
} from './protocol.js';
import { publishShard } from './shard-gradients.js';
import { shardSizes } from './shards.js';
import { TensorLayout, tensorFromShared } from './shared-tensors.js';
import { StepBarriers } from './step-barriers.js';

interface Replica {
  index: number;
  model: tf.LayersModel;
  /** Trainable weights first, then the non-trainable ones (the main model's order). */
  variables: tf.Variable[];
  /** The main thread's name of each trainable variable → the replica's. */
  rename: Map<string, string>;
  loss: DataParallelLoss;
  layout: TensorLayout;
  weights: Float32Array;
  exchange: GradientExchange;
  barriers: StepBarriers;
  optimizer: tf.Optimizer | null;
}
const port = parentPort;
if (!port)
  throw new Error('@bregman/runtime: data-parallel/worker.js runs only as a worker thread');
let replica: Replica | null = null;
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    let answer: FromWorker;
    try {
      answer = await handle(message);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      answer = { type: 'failed', message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
    }
    port.postMessage(answer);
  });
});

async function handle(message: ToWorker): Promise<FromWorker> {
  if (message.type === 'init') return init(message);
  const r = replica;
  if (!r) throw new Error(`'${message.type}' before 'init'`);
  if (message.type === 'steps') return steps(r, message);
  if (message.type === 'sync') return sync(r, message);
  await r.layout.write(r.exchange.regions[r.index]!, r.variables);
  return { type: 'done' };
}

async function init(message: InitMessage): Promise<FromWorker> {
  for (const specifier of message.modules) {
    try {
      await import(specifier);
    } catch (error) {
      throw new Error(`could not import module '${specifier}': ${(error as Error).message}`);
    }
  }
  if (message.backend === 'wasm') await startWasmBackend();
  else await startCpu();
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: JSON.parse(message.topology) });
  } catch (error) {
    throw new Error(
      `could not rebuild the model from model.toJSON(): ${(error as Error).message.trim()}\n` +
        'Custom layers, initializers, regularizers or constraints must be registered in the thread ' +
        '(tf.serialization.registerClass) by a module listed in the `modules` option.',
    );
  }
  const weights = [...model.trainableWeights, ...model.nonTrainableWeights];
  const names = weights.map((w) => w.originalName);
  const shapes = weights.map((w) => w.shape);
  const same =
    model.trainableWeights.length === message.trainable &&
    names.length === message.names.length &&
    names.every((n, i) => n === message.names[i]) &&
    shapes.every((s, i) => s.join() === message.shapes[i]!.join());
  if (!same) {
    const list = (n: string[], s: number[][]) => n.map((name, i) => `${name} [${s[i]}]`).join(', ');
    throw new Error(
      `the model rebuilt from model.toJSON() has other weights than the original: ${list(names, shapes as number[][])} instead of ${list(message.names, message.shapes)}`,
    );
  }
  const layout = new TensorLayout(message.shapes);
  const variables = weights.map((w) => w.read() as tf.Variable);
  replica = {
    index: message.index,
    model,
    variables,
    rename: new Map(message.variableNames.map((name, i) => [name, variables[i]!.name])),
    loss: message.loss,
    layout,
    weights: new Float32Array(message.weights),
    exchange: new GradientExchange(
      layout,
      message.trainable,
      message.exchange,
      new Float64Array(message.scalars),
      message.threads,
      message.index,
    ),
    barriers: new StepBarriers(new Int32Array(message.barriers), message.threads),
    optimizer: null,
  };
  return { type: 'ready', backend: tf.getBackend() };
}

/**
 * Switches to `cpu`. Its first tensor makes tfjs print "looks like you are running
 * TensorFlow.js in Node.js…": the main thread has said so already, the threads stay quiet.
 */
async function startCpu(): Promise<void> {
  const { value: started, warnings } = await captureWarnings(async () => {
    const ok = await tf.setBackend('cpu');
    if (ok) tf.tensor([0]).dispose();
    return ok;
  }, /running TensorFlow\.js in Node\.js|is already registered/);
  for (const line of warnings) console.warn(line);
  if (!started) throw new Error('the cpu backend did not start');
}

/** Loads the main thread's weights and optimizer (rebuilt, with its state). */
async function sync(r: Replica, message: SyncMessage): Promise<FromWorker> {
  tf.tidy(() => {
    r.variables.forEach((v, i) => {
      v.assign(tensorFromShared(r.layout.view(r.weights, i), r.layout.shapes[i]!));
    });
  });
  const trainable = r.variables.slice(0, r.exchange.trainable).map((v) => v.name);
  const optimizer = rebuildOptimizer(message.optimizer, trainable);
  try {
    await loadOptimizerState(optimizer, message.state, r.rename);
  } catch (error) {
    optimizer.dispose();
    throw new Error(`could not load the optimizer's state: ${(error as Error).message}`);
  }
  r.optimizer?.dispose();
  r.optimizer = optimizer;
  return { type: 'done' };
}

/** The step loop: every step posted after `message.after`, until stopped (see protocol.ts). */
function steps(r: Replica, message: StepLoopMessage): FromWorker {
  if (!r.optimizer) throw new Error("'steps' before 'sync'");
  for (let seen = message.after; ; ) {
    const step = r.barriers.next(seen);
    if (step === 0) return { type: 'done' };
    runStep(r, message, step);
    seen = step;
  }
}

/** One step; throws (ending the loop) when this thread's shard or its update fails. */
function runStep(r: Replica, message: StepLoopMessage, step: number): void {
  const { barriers, exchange } = r;
  const sizes = shardSizes(barriers.batchSize, barriers.threads);
  try {
    publishOwnShard(r, message, sizes);
  } catch (error) {
    // the others must not wait for this thread, and skip the step as it does
    barriers.markFailed(step);
    barriers.arrive('published');
    throw error;
  }
  barriers.arrive('published');
  if (!barriers.waitBlocking('published', step)) return;
  if (barriers.failed(step) || !Number.isFinite(exchange.logs(sizes).loss)) {
    barriers.arrive('reduced'); // every thread skips the step alike, and counts it
    return;
  }
  exchange.reduce(sizes, r.index, barriers.threads);
  barriers.arrive('reduced');
  if (!barriers.waitBlocking('reduced', step)) return;
  exchange.apply(r.variables, r.optimizer!);
}

/** Computes this thread's shard of the step's batch (if it has one) and publishes it. */
function publishOwnShard(r: Replica, message: StepLoopMessage, sizes: readonly number[]): void {
  const rows = sizes[r.index] ?? 0;
  if (rows === 0) return;
  const start = sizes.slice(0, r.index).reduce((a, b) => a + b, 0);
  const rowsOf = (buffer: SharedArrayBuffer, shape: number[], dtype: 'float32' | 'int32') => {
    const rowSize = shape.reduce((a, b) => a * b, 1);
    const values = regionView(buffer, dtype).subarray(start * rowSize, (start + rows) * rowSize);
    return tensorFromShared(values, [rows, ...shape], dtype);
  };
  const x = rowsOf(message.x, message.xShape, message.xDtype);
  const y = rowsOf(message.y, message.yShape, message.yDtype);
  try {
    publishShard(r.exchange, r.index, r.model, r.variables, r.loss, x, y);
  } finally {
    tf.dispose([x, y]);
  }
}
