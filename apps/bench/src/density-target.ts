// pnpm --filter @bregman/bench density [--model mlp|convNet] [--epochs N] [--targets a,b,…]
// [--train-limit N] [--json FILE]: trains the paper's MNIST MLP (784-200-80-10, sparse init
// r = 0.01) or ConvNet (Tables 1–2, sparse init r = 0.01, std × 0.5) with LinBreg (τ = 0.1,
// ℓ1, λ = 0.1 at the start) under a DensityController for each target density and prints
// the density reached, λ and the validation accuracy per target (DensityController's
// measurement, an extension beyond the paper), then the bytes on disk (dense and sparse
// weights), the compacted size and the inference time before and after compact().
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { L1 } from '@bregman/core-prox';
import {
  computeStandardization,
  head,
  loadMnist,
  splitDataset,
  toTensors,
} from '@bregman/datasets';
import { compact, convNet, mlp } from '@bregman/models';
import { DensityController, LinBreg, rulesForModel } from '@bregman/optimizers';
import { fileSystemHandler, setGlobalSeed, useBestBackend } from '@bregman/runtime';
import * as tf from '@tensorflow/tfjs';
import { trainingLoss } from './cases.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const epochs = Number(flag('--epochs') ?? 20);
const modelName = flag('--model') ?? 'mlp';
const trainLimit = flag('--train-limit') === undefined ? undefined : Number(flag('--train-limit'));
if (modelName !== 'mlp' && modelName !== 'convNet') {
  console.error(`density: --model must be mlp or convNet, got ${modelName}`);
  process.exit(2);
}
if (trainLimit !== undefined && !(Number.isInteger(trainLimit) && trainLimit >= 1)) {
  console.error('density: --train-limit must be an integer ≥ 1');
  process.exit(2);
}
const targets = (flag('--targets') ?? '0.02,0.05,0.1,0.25').split(',').map(Number);
if (!Number.isInteger(epochs) || epochs < 1 || targets.some((t) => !(t > 0 && t <= 1))) {
  console.error('density: --epochs must be an integer ≥ 1 and --targets numbers in (0, 1]');
  process.exit(2);
}

const backend = await useBestBackend();
const data = await loadMnist();
const split = splitDataset(data.train, { validationSize: 5000, seed: 0 });
const train = trainLimit === undefined ? split.train : head(split.train, trainLimit);
const { validation } = split;
const standardization = computeStandardization(train);
// the models standardize their inputs themselves (a Standardize layer): pixels in [0, 1]
const layout = modelName === 'mlp' ? 'flat' : 'image';
const t = toTensors(train, { layout });
const v = toTensors(validation, { layout });

const rows = [];
for (const target of targets) {
  setGlobalSeed(1);
  const model =
    modelName === 'mlp'
      ? mlp({
          sizes: [784, 200, 80, 10],
          ...standardization,
          init: { density: 0.01, variance: 'he', gain: 0.7, seed: 1 },
        })
      : convNet({
          ...standardization,
          init: { density: 0.01, variance: 'he', gain: 0.5, seed: 1 },
        });
  const optimizer = new LinBreg({
    learningRate: 0.1,
    rules: rulesForModel(model, { dense: new L1({ lambda: 0.1 }), conv: new L1({ lambda: 0.1 }) }),
  });
  model.compile({
    optimizer,
    loss: trainingLoss,
    metrics: ['accuracy'],
  });
  const controller = new DensityController({ targetDensity: target });
  const started = performance.now();
  const history = await model.fit(t.x, t.y, {
    epochs,
    batchSize: 128,
    validationData: [v.x, v.y],
    verbose: 0,
    callbacks: [
      controller,
      new tf.CustomCallback({
        onEpochEnd: async (epoch: number, logs?: tf.Logs) =>
          console.error(
            `target ${target}: epoch ${epoch + 1}/${epochs}, val acc ${(logs?.val_acc ?? 0).toFixed(4)}, density ${controller.history.at(-1)?.adjustments[0]?.after.toFixed(4)}`,
          ),
      }),
    ],
  });
  const kernels = model.trainableWeights.filter((w) => w.originalName.endsWith('/kernel'));
  let nonZero = 0;
  let total = 0;
  for (const w of kernels) {
    const values = await w.read().data();
    nonZero += values.filter((x) => x !== 0).length;
    total += values.length;
  }
  const density = nonZero / total;
  // the model as it ends (after the last adjustment): fit's val_acc of the last epoch is
  // computed before the callbacks of that epoch run
  const [, accuracy] = model.evaluate(v.x, v.y, { batchSize: 1000 }) as tf.Scalar[];
  const valAccuracyAtEnd = (await accuracy!.data())[0];
  const deployment = await deploymentOf(model, v.x);
  rows.push({
    target,
    density,
    relativeError: density / target - 1,
    lambda: optimizer.rules.map((r) => r.regularizer.getConfig().lambda),
    valAccuracy: valAccuracyAtEnd,
    valAccuracyBeforeLastAdjustment: history.history.val_acc?.at(-1),
    densityBeforeLastAdjustment: controller.history.at(-1)?.adjustments[0]?.before,
    seconds: (performance.now() - started) / 1000,
    ...deployment,
    lambdas: controller.history.map((h) => h.adjustments[0]?.lambdas),
    densities: controller.history.map((h) => [h.adjustments[0]?.before, h.adjustments[0]?.after]),
  });
  model.dispose();
  optimizer.dispose();
}
console.log(
  '| target | non-zero weights × 4 B | weights.bin | weights.sparse.bin (÷ non-zeros × 4) | compacted params | predict 5000 (one batch): dense → compacted ms (speedup; ideal 1/live) |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.target} | ${r.nonZeroBytes} | ${r.denseBytes} | ${r.sparseBytes} (${(r.sparseBytes / r.nonZeroBytes).toFixed(2)}) | ${r.params[1]} of ${r.params[0]} | ${r.predictMs[0].toFixed(1)} → ${r.predictMs[1].toFixed(1)} (${(r.predictMs[0] / r.predictMs[1]).toFixed(2)}×; ${(r.params[0] / r.params[1]).toFixed(2)}×) |`,
  );
}
console.log(
  `backend ${backend.name}; MNIST ${modelName === 'mlp' ? 'MLP 784-200-80-10' : 'ConvNet'}, ${train.count} training images, LinBreg τ = 0.1, ${epochs} epochs`,
);
console.log(
  '| target | density before the last adjustment | density at the end | relative error | final λ per layer | val accuracy at the end (before) | s |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.target} | ${Number(r.densityBeforeLastAdjustment).toFixed(4)} | ${r.density.toFixed(4)} | ${(100 * r.relativeError).toFixed(1)}% | ${r.lambda.map((l) => Number(l).toPrecision(3)).join(', ')} | ${Number(r.valAccuracy).toFixed(4)} (${Number(r.valAccuracyBeforeLastAdjustment).toFixed(4)}) | ${r.seconds.toFixed(0)} |`,
  );
}
const json = flag('--json');
if (json) {
  writeFileSync(
    `${json}.tmp`,
    `${JSON.stringify({ epochs, backend: backend.name, rows }, null, 2)}\n`,
  );
  renameSync(`${json}.tmp`, json);
}

/** Bytes on disk (dense and sparse layouts), compacted size and inference time of a model. */
async function deploymentOf(model: tf.LayersModel, x: tf.Tensor) {
  const dir = mkdtempSync(join(tmpdir(), 'density-target-'));
  await model.save(fileSystemHandler(join(dir, 'dense')));
  await model.save(fileSystemHandler(join(dir, 'sparse'), { weights: 'sparse' }));
  const denseBytes = statSync(join(dir, 'dense', 'weights.bin')).size;
  const sparseBytes = statSync(join(dir, 'sparse', 'weights.sparse.bin')).size;
  rmSync(dir, { recursive: true });
  let nonZeros = 0;
  for (const w of model.getWeights()) nonZeros += (await w.data()).filter((y) => y !== 0).length;
  const { model: small, before, after } = compact(model);
  const time = async (m: tf.LayersModel) => {
    const runs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const started = performance.now();
      const out = m.predict(x, { batchSize: x.shape[0] }) as tf.Tensor; // one batch: the products, not per-call overhead
      await out.data();
      out.dispose();
      runs.push(performance.now() - started);
    }
    return runs.slice(2).sort((a, b) => a - b)[5]!; // the median after 2 warm-up runs
  };
  const predictMs = [await time(model), await time(small)];
  small.dispose();
  return {
    nonZeroBytes: nonZeros * 4,
    denseBytes,
    sparseBytes,
    params: [before.params, after.params] as [number, number],
    predictMs: predictMs as [number, number],
  };
}
