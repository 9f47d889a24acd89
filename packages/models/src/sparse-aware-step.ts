import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { layerBlocks, scatterKernel, scatterVector, type UnitGroup } from './live-blocks.js';
import {
  denseWithFullGradients,
  type FullGradientLayer,
  takesFullGradients,
} from './live-dense.js';
import {
  applyKernel,
  liveProduct,
  maxPoolGradientGoesFirst,
  type PooledGradients,
  pooledGradients,
  probeConstants,
} from './live-ops.js';
import {
  type LiveAnalysis,
  type LiveLayer,
  liveAnalysis,
  type StagePlan,
  stagePlan,
  type WeightedStage,
  weightedStages,
} from './live-units.js';
import { range } from './range.js';
import { readAsync } from './reads.js';

/**
 * The live step's work per kernel entry and step outside the products — finding the live
 * units (a few passes over every kernel on the backend, per-unit vectors read back),
 * gathering blocks, assembling full-size gradients — in multiply–adds of the products (~0.1
 * ns each on wasm, 2-core AMD EPYC). Measured there with the machine busy: the analysis
 * ~9 ns per entry; moving blocks ~15 ns per block entry. On the denoiser, whose computed
 * blocks cover 85–95% of its kernels (its Dense layers then give their gradients at full
 * size), the live step took 64–74 ms against the dense step's 87–90 ms. The value is on the
 * safe side: at batch 128 it keeps networks of Dense layers only (the MNIST MLP, the
 * denoiser) on the dense step without reading their weights in `'auto'` mode.
 */
export const ANALYSIS_COST_PER_WEIGHT = 256;

/** When {@link SparseAwareStep} computes on the live units. */
export type SparseAwareMode = 'auto' | 'sparse' | 'dense';

/** Options of {@link SparseAwareStep}. */
export interface SparseAwareStepOptions {
  /**
   * `'auto'` (default): the live-unit computation when its estimated cost is at most
   * `maxCostRatio` of the dense step's, else the dense step; `'sparse'` / `'dense'`: always
   * that one (for comparisons and tests).
   */
  mode?: SparseAwareMode;
  /** In `'auto'` mode, the largest live/dense cost ratio that takes the live path (default 0.6). */
  maxCostRatio?: number;
}

/** The result of {@link SparseAwareStep.gradients}. */
export interface SparseAwareGradients {
  /** The loss. */
  value: tf.Scalar;
  /** The model's output for the batch (training mode). */
  output: tf.Tensor;
  /** `d loss / d variable` for every trainable variable, by variable name (`tf.variableGrads`). */
  grads: tf.NamedTensorMap;
  /** Whether the live-unit computation ran (false: the dense one). */
  sparse: boolean;
  /**
   * Estimated cost of the live-unit computation over the dense one's, for this batch (see
   * {@link SparseAwareStep.costRatio}). When the per-step analysis alone costs more than
   * `maxCostRatio` (`'auto'` mode: a small model, or a small batch), the weights are not read
   * and this is that lower bound.
   */
  costRatio: number;
}

/**
 * A training step that computes only what the live network needs — the moonshot of the
 * paper's §5: Bregman training keeps the network sparse *during* training, so with group
 * sparsity most neurons and channels are exactly zero for most of the run.
 *
 * Each step finds the units that must be computed ({@link liveUnits}: varying units, and
 * constant ones whose gradient map can be non-zero) with a few passes over the kernels on
 * the backend, reading back only per-unit vectors (no kernel is copied to JavaScript, which
 * matters on a GPU), gathers their blocks of the kernels on the backend, and runs forward and backward on the gathered sub-network, with the constant units'
 * contributions as bias-like terms. The loss, the output and the gradient of **every**
 * weight are those of the dense step (up to float32 summation order): the zero weights of a
 * Bregman optimizer's subgradient variable keep moving, so units are still born. The
 * gradients are scattered back to the full shapes, so any `tf.Optimizer` applies them.
 *
 * For chains of Dense / Conv2D layers with pooling and Flatten between them (the paper's
 * MLP and ConvNet; {@link stagePlan}); the model's activations must be in its layers.
 *
 * @example
 * ```ts
 * const step = new SparseAwareStep(model);
 * const { value, output, sparse } = await step.minimize(optimizer, x, (out) =>
 *   tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar,
 * );
 * ```
 */
export class SparseAwareStep {
  private readonly plan: StagePlan;
  private readonly weighted: WeightedStage[];
  private readonly mode: SparseAwareMode;
  private readonly maxCostRatio: number;
  /** Per weighted stage: its gradient-only units at the pooled resolution, where it can. */
  private readonly pooled: Array<PooledGradients | null>;
  /** Multiply–adds of the dense products per example, and kernel entries, of all stages. */
  private readonly denseCost: number;
  private readonly weights: number;

  constructor(
    private readonly model: LayersModel,
    options: SparseAwareStepOptions = {},
  ) {
    this.plan = stagePlan(model, 'SparseAwareStep');
    this.weighted = weightedStages(this.plan);
    this.pooled = this.weighted.map((stage) =>
      pooledGradients(stage, this.plan.stages[this.plan.stages.indexOf(stage) + 1]),
    );
    this.denseCost = 0;
    this.weights = 0;
    for (const s of this.weighted) {
      this.denseCost += 3 * s.positions * s.spatial * s.nIn * s.nOut;
      this.weights += s.spatial * s.nIn * s.nOut;
    }
    const { mode = 'auto', maxCostRatio = 0.6 } = options;
    if (mode !== 'auto' && mode !== 'sparse' && mode !== 'dense') {
      throw new RangeError(
        `SparseAwareStep: mode must be 'auto', 'sparse' or 'dense', got ${String(mode)}`,
      );
    }
    if (!(maxCostRatio > 0 && maxCostRatio <= 1)) {
      throw new RangeError(
        `SparseAwareStep: maxCostRatio must be in (0, 1], got ${String(maxCostRatio)}`,
      );
    }
    this.mode = mode;
    this.maxCostRatio = maxCostRatio;
  }

  /** The units the next step would compute, per Dense / Conv2D layer. */
  async liveUnits(): Promise<LiveLayer[]> {
    return (await this.analyze()).live;
  }

  /** The live units the weights give now ({@link liveAnalysis}, on the backend). */
  private analyze(): Promise<LiveAnalysis> {
    return readAsync(
      liveAnalysis(
        this.plan,
        this.weighted.map((s) => s.kernel),
        this.weighted.map((s) => s.bias),
      ),
    );
  }

  /**
   * Estimated cost of computing `live` over the dense computation's, in multiply–adds of the
   * Dense and Conv2D layers: varying units cost a forward product, an input and a weight
   * gradient per varying input, gradient-only units a weight gradient, and gradient-only
   * inputs a gradient map. With `batchSize`, the live step's fixed work per step is added:
   * reading and sorting every kernel entry in JavaScript, counted as
   * {@link ANALYSIS_COST_PER_WEIGHT} multiply–adds each (so a small MLP, whose whole step is a
   * few milliseconds, keeps the dense step).
   */
  costRatio(live: LiveLayer[], batchSize?: number): number {
    let sparse = 0;
    for (const [k, s] of this.weighted.entries()) {
      const l = live[k]!;
      sparse +=
        s.positions *
        s.spatial *
        (l.outputs.length * (3 * l.inputs.length + l.gradientInputs.length) +
          l.gradientOutputs.length * (l.inputs.length + l.gradientInputs.length));
    }
    return sparse / this.denseCost + (batchSize === undefined ? 0 : this.analysisRatio(batchSize));
  }

  /** The share of {@link SparseAwareStep.costRatio} that the per-step analysis takes at `batchSize`. */
  private analysisRatio(batchSize: number): number {
    return (ANALYSIS_COST_PER_WEIGHT * this.weights) / batchSize / this.denseCost;
  }

  /** The loss, output and gradients of one batch (nothing is updated). */
  async gradients(
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
  ): Promise<SparseAwareGradients> {
    if (this.mode === 'dense')
      return { ...this.denseGradients(x, loss), sparse: false, costRatio: 1 };
    // the analysis alone would cost too much at this batch size: nothing to read
    const floor = this.analysisRatio(x.shape[0]!);
    if (this.mode === 'auto' && floor > this.maxCostRatio) {
      return { ...this.denseGradients(x, loss), sparse: false, costRatio: floor };
    }
    const analysis = await this.analyze();
    const { live } = analysis;
    const costRatio = this.costRatio(live, x.shape[0]!);
    const empty = live.some((l) => l.outputs.length === 0); // nothing varies past a layer
    if (empty || (this.mode === 'auto' && costRatio > this.maxCostRatio)) {
      return { ...this.denseGradients(x, loss), sparse: false, costRatio };
    }
    return {
      ...this.liveGradients(x, loss, analysis, await maxPoolGradientGoesFirst()),
      sparse: true,
      costRatio,
    };
  }

  /**
   * One optimizer step: {@link SparseAwareStep.gradients}, then
   * `optimizer.applyGradients`. The caller disposes `value` and `output`.
   */
  async minimize(
    optimizer: tf.Optimizer,
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
  ): Promise<Omit<SparseAwareGradients, 'grads'>> {
    const { grads, ...rest } = await this.gradients(x, loss);
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return rest;
  }

  private variables(): tf.Variable[] {
    return this.weighted.flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]));
  }

  private denseGradients(x: tf.Tensor, loss: (output: tf.Tensor) => tf.Scalar) {
    let output: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = this.model.apply(x, { training: true }) as tf.Tensor;
      output = tf.keep(out);
      return loss(out);
    }, this.variables());
    return { value, output: output!, grads };
  }

  private liveGradients(
    x: tf.Tensor,
    loss: (output: tf.Tensor) => tf.Scalar,
    { live, probed, constantParts }: LiveAnalysis,
    poolFirst: boolean,
  ) {
    // per layer: its gradients at full size (a Dense layer whose blocks would cover much of
    // its kernel), or its unit groups' blocks
    const layers = this.weighted.map((stage, k): LayerComputation => {
      const l = live[k]!;
      const units = [...l.outputs, ...l.gradientOutputs];
      if (takesFullGradients(stage, l, units.length)) {
        const full = { units, varying: l.outputs.length, probed: probed[k]! };
        return { full: { ...full, constantPart: constantParts[k]! } };
      }
      return { groups: layerBlocks(stage, l, probed[k]!, poolFirst ? this.pooled[k]! : null) };
    });
    const inputs = layers.flatMap((layer, k) => {
      const stage = this.weighted[k]!;
      if (layer.full) return stage.bias ? [stage.kernel, stage.bias] : [stage.kernel];
      return layer.groups!.flatMap((g) => g.blocks.map((b) => b.tensor));
    });
    let output: tf.Tensor | undefined;
    const f = (...args: tf.Tensor[]) => {
      let at = 0;
      let h = x;
      for (const layer of this.plan.preprocess) h = layer.apply(h, { training: true }) as tf.Tensor;
      // the previous layer's varying maps and gradient-only maps
      let maps: tf.Tensor | null = h;
      let probes: tf.Tensor | null = null;
      // the gradient-only maps were computed at the resolution of the pooling that follows
      let probesPooled = false;
      let k = 0;
      for (const stage of this.plan.stages) {
        if (stage.kind !== 'weighted') {
          const pass = (t: tf.Tensor | null) =>
            t === null
              ? null
              : stage.kind === 'pool'
                ? (stage.layer.apply(t, { training: true }) as tf.Tensor)
                : tf.reshape(t, [t.shape[0]!, -1]);
          maps = pass(maps);
          probes = probesPooled ? probes : pass(probes);
          probesPooled = false;
          continue;
        }
        const inMaps = maps;
        const inProbes = probes;
        maps = null;
        probes = null;
        const layer = layers[k]!;
        if (layer.full) {
          const kernel = args[at++]!;
          const bias = stage.bias ? args[at++]! : null;
          const z = denseWithFullGradients(
            stage,
            live[k]!,
            layer.full,
            inMaps!,
            inProbes,
            kernel,
            bias,
            k > 0,
          );
          ({ maps, probes } = split(stage.activate(z), layer.full.varying));
          probesPooled = false;
        }
        for (const group of layer.groups ?? []) {
          let z: tf.Tensor | null = null;
          for (const block of group.blocks) {
            const w = args[at++]!;
            if (block.role === 'map') z = applyKernel(stage, inMaps!, w);
            else if (block.role === 'liveProduct') {
              z = liveProduct(stage, inMaps!, w, group.varying, k > 0, group.pooled);
            } else if (block.role === 'probe') {
              z = probeConstants(stage, z!, inProbes!, w, block.probeColumns ?? null);
            } else if (block.role === 'constant') {
              const tapSums = stage.spatial === 1 ? w : tf.sum(w, range(w.rank - 2));
              const values = tf.tensor2d(block.values!, [1, block.values!.length]);
              z = tf.add(z!, tf.reshape(tf.matMul(values, tapSums as tf.Tensor2D), [-1]));
            } else z = tf.add(z!, w);
          }
          const parts = split(stage.activate(z!), group.varying);
          if (parts.maps) maps = parts.maps;
          if (parts.probes) {
            probes = parts.probes;
            probesPooled = group.varying === 0 && group.pooled !== null;
          }
        }
        k++;
      }
      output = tf.keep(maps!);
      return loss(maps!);
    };
    const { value, grads } = tf.valueAndGrads(f)(inputs);
    const named: tf.NamedTensorMap = {};
    const kept = new Set<tf.Tensor>();
    let at = 0;
    for (const [k, stage] of this.weighted.entries()) {
      const layer = layers[k]!;
      if (layer.full) {
        named[stage.kernel.name] = grads[at++]!;
        if (stage.bias) named[stage.bias.name] = grads[at++]!;
        kept.add(named[stage.kernel.name]!);
        if (stage.bias) kept.add(named[stage.bias.name]!);
        continue;
      }
      const kernelParts: Array<{ grad: tf.Tensor; rows: number[]; cols: number[] }> = [];
      const biasParts: Array<{ grad: tf.Tensor; cols: number[] }> = [];
      for (const group of layer.groups!) {
        for (const block of group.blocks) {
          const grad = grads[at++]!;
          if (block.role === 'bias') biasParts.push({ grad, cols: group.units });
          else kernelParts.push({ grad, rows: block.rows, cols: group.units });
        }
      }
      named[stage.kernel.name] = scatterKernel(stage, kernelParts);
      if (stage.bias) named[stage.bias.name] = scatterVector(biasParts, stage.nOut);
    }
    tf.dispose(grads.filter((g) => !kept.has(g)));
    for (const t of inputs) if (!(t instanceof tf.Variable)) t.dispose();
    return { value, output: output!, grads: named };
  }
}

/** How a live step computes one Dense / Conv2D layer: at full gradient size, or by blocks. */
interface LayerComputation {
  full?: FullGradientLayer;
  groups?: UnitGroup[];
}

/**
 * A layer's activations over its computed units (the first `varying` varying, the rest
 * gradient-only) split into the varying maps and the gradient-only maps (null where none).
 */
function split(
  a: tf.Tensor,
  varying: number,
): { maps: tf.Tensor | null; probes: tf.Tensor | null } {
  const computed = a.shape.at(-1)!;
  if (varying === computed) return { maps: a, probes: null };
  if (varying === 0) return { maps: null, probes: a };
  const begin = new Array<number>(a.rank).fill(0);
  const size = [...a.shape.slice(0, -1), varying];
  return {
    maps: tf.slice(a, begin, size),
    probes: tf.slice(
      a,
      [...begin.slice(0, -1), varying],
      [...size.slice(0, -1), computed - varying],
    ),
  };
}
