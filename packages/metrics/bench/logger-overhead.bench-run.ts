// Benchmark, not a test: how much does SparsityLogger slow down model.fit?
// Run: pnpm run bench   (cpu backend; prints a table, asserts nothing about time)
import { L1 } from '@bregman/core-prox';
import { LinBreg, rulesForModel } from '@bregman/optimizers';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { measure, SparsityLogger, snapshotWeights } from '../src/index.js';

const SAMPLES = 2048;
const BATCH = 128;
const EPOCHS = 5;
const REPEATS = 3;

/** The paper's MLP 784-200-80-10 with seeded weights. */
function mlp(seed: number) {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 200,
        activation: 'relu',
        inputShape: [784],
        kernelInitializer: tf.initializers.heNormal({ seed }),
      }),
      tf.layers.dense({
        units: 80,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: 10,
        kernelInitializer: tf.initializers.heNormal({ seed: seed + 2 }),
      }),
    ],
  });
}

type Variant = 'none' | 'logger' | 'logger+rules+reference';

/** Wall and CPU (user + system) milliseconds of this process. */
interface Cost {
  wall: number;
  cpu: number;
}

/** Runs `f` and returns its cost; CPU time is what the shared machine's load disturbs least. */
async function cost(f: () => Promise<unknown>): Promise<Cost> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await f();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
}

async function fitOnce(variant: Variant, x: tf.Tensor, y: tf.Tensor): Promise<Cost> {
  const model = mlp(1);
  const rules = rulesForModel(model, { dense: new L1({ lambda: 1e-3 }) });
  model.compile({
    optimizer: new LinBreg({ learningRate: 0.1, rules }),
    loss: 'categoricalCrossentropy',
  });
  const reference = snapshotWeights(model);
  const callbacks =
    variant === 'none'
      ? []
      : [new SparsityLogger(variant === 'logger' ? {} : { rules, reference, delta: 1 })];
  let history: tf.History | undefined;
  const spent = await cost(async () => {
    history = await model.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, verbose: 0, callbacks });
  });
  if (variant !== 'none') expect(history?.history.nTotal).toHaveLength(EPOCHS);
  tf.dispose(reference);
  model.dispose();
  return spent;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

it('SparsityLogger overhead on model.fit (MLP 784-200-80-10)', async () => {
  const x = tf.randomNormal([SAMPLES, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([SAMPLES], 0, 10, 'int32', 2), 10);
  const variants: Variant[] = ['none', 'logger', 'logger+rules+reference'];
  await fitOnce('logger+rules+reference', x, y); // warm-up
  const times: Record<Variant, Cost[]> = { none: [], logger: [], 'logger+rules+reference': [] };
  for (let r = 0; r < REPEATS; r++) {
    for (const v of variants) times[v].push(await fitOnce(v, x, y)); // interleaved
  }
  // the logger's per-epoch work on its own: one measure() on the same model
  const model = mlp(1);
  const rules = rulesForModel(model, { dense: new L1({ lambda: 1e-3 }) });
  const reference = snapshotWeights(model);
  const plain: Cost[] = [];
  const full: Cost[] = [];
  for (let i = 0; i < 20; i++) {
    plain.push(await cost(() => measure(model)));
    full.push(await cost(() => measure(model, { rules, reference, delta: 1 })));
  }
  const med = (cs: Cost[], k: keyof Cost) => median(cs.map((c) => c[k]));
  const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  const epochCpu = med(times.none, 'cpu') / EPOCHS;
  const lines = [
    `backend ${tf.getBackend()}, ${SAMPLES} samples, batch ${BATCH}, ${EPOCHS} epochs, LinBreg, median of ${REPEATS} interleaved runs`,
    'variant                  cpu ms (runs)                     vs none | wall ms (runs)                    vs none',
    ...variants.map(
      (v) =>
        `${v.padEnd(24)} ${med(times[v], 'cpu').toFixed(0).padStart(6)} (${times[v].map((t) => t.cpu.toFixed(0)).join(', ')})  ${pct(med(times[v], 'cpu'), med(times.none, 'cpu'))} | ${med(times[v], 'wall').toFixed(0).padStart(6)} (${times[v].map((t) => t.wall.toFixed(0)).join(', ')})  ${pct(med(times[v], 'wall'), med(times.none, 'wall'))}`,
    ),
    `one measure(): ${med(plain, 'cpu').toFixed(1)} ms cpu (${((med(plain, 'cpu') / epochCpu) * 100).toFixed(2)}% of an epoch); with rules + reference + delta: ${med(full, 'cpu').toFixed(1)} ms cpu (${((med(full, 'cpu') / epochCpu) * 100).toFixed(2)}%)`,
  ];
  console.log(lines.join('\n'));
  tf.dispose([x, y, ...reference]);
  model.dispose();
}, 600_000);
