// The custom-gradient products of a live step: what each kind of unit costs forward and
// backward (see `SparseAwareStep`).
import * as tf from '@tensorflow/tfjs-core';
import { configOf, inputShapeOf } from './layer-chain.js';
import type { PassStage, WeightedStage } from './live-units.js';
import { range } from './range.js';

/**
 * A convolution followed by a `'valid'` max pooling, whose gradient-only units (constant
 * maps) are computed at the pooled resolution: the max pooling's gradient of a constant
 * window goes to the window's first position (on backends where it does, see
 * {@link maxPoolGradientGoesFirst}), so their weight gradient is one over those positions: a
 * weight gradient with the conv's stride times the pooling's.
 */
export interface PooledGradients {
  /** The strides of that weight gradient. */
  strides: [number, number];
  /** The pooled maps' `[height, width]`. */
  size: [number, number];
}

/** The {@link PooledGradients} of a conv stage followed by `next`, or null when it has none. */
export function pooledGradients(
  stage: WeightedStage,
  next: WeightedStage | PassStage | undefined,
): PooledGradients | null {
  if (next?.kind !== 'pool' || next.layer.getClassName() !== 'MaxPooling2D') return null;
  if (stage.layer.getClassName() !== 'Conv2D' || !stage.probesConstants) return null;
  const pool = configOf(next.layer);
  if (pool.padding !== 'valid') return null;
  const convStrides = pair(configOf(stage.layer).strides);
  const poolStrides = pair(pool.strides ?? pool.poolSize);
  const strides: [number, number] = [
    convStrides[0] * poolStrides[0],
    convStrides[1] * poolStrides[1],
  ];
  const input = inputShapeOf(stage.layer) as number[];
  const pooled = next.layer.outputShape as number[];
  const size: [number, number] = [pooled[1]!, pooled[2]!];
  // the strided weight gradient must see exactly the windows' first positions
  for (const d of [0, 1]) {
    const k = stage.kernel.shape[d]!;
    if (Math.floor((input[d + 1]! - k) / strides[d]!) + 1 !== size[d]) return null;
  }
  return { strides, size };
}

/** Per backend: whether its max-pooling gradient sends a constant window's gradient to its first position. */
const poolFirstByBackend = new Map<string, boolean>();

/**
 * Whether the backend's max-pooling gradient sends the gradient of a window of equal values
 * to the window's first position (checked once per backend, for positive and negative values).
 */
export async function maxPoolGradientGoesFirst(): Promise<boolean> {
  const backend = tf.getBackend();
  const known = poolFirstByBackend.get(backend);
  if (known !== undefined) return known;
  // a 3×3 window of +1s and one of −1s
  const gradient = tf.tidy(() =>
    tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 3, 3, 'valid'))(
      tf.concat([tf.ones([1, 3, 3, 1]), tf.neg(tf.ones([1, 3, 3, 1]))]),
    ),
  );
  const values = await gradient.data();
  gradient.dispose();
  const window = [1, 0, 0, 0, 0, 0, 0, 0, 0];
  const first = Array.from(values).join() === [...window, ...window].join();
  poolFirstByBackend.set(backend, first);
  return first;
}

/**
 * `z + c·Σ_taps W` for inputs that are constant maps (values `c`, read at the first
 * position) whose gradient map is needed: the forward pass adds the constant, and the
 * backward pass gives the maps the input gradient of the layer (what the dense layer gives
 * them) and `W` the constant-input gradient `c·Σ_positions dz` per tap.
 */
export function probeConstants(
  stage: WeightedStage,
  z: tf.Tensor,
  maps: tf.Tensor,
  w: tf.Tensor,
  columns: number[] | null,
): tf.Tensor {
  const conv = stage.layer.getClassName() === 'Conv2D';
  const config = configOf(stage.layer);
  const probe = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
    const [zIn, mapsIn, wIn, save] = args;
    const channels = mapsIn.shape.at(-1)!;
    const c = tf.reshape(
      tf.slice(mapsIn, new Array(mapsIn.rank).fill(0), [
        ...new Array(mapsIn.rank - 1).fill(1),
        channels,
      ]),
      [1, channels],
    );
    const tapSums = conv ? tf.sum(wIn, [0, 1]) : wIn;
    save([c, wIn, mapsIn]);
    return {
      value: tf.add(zIn, tf.reshape(tf.matMul(c, tapSums as tf.Tensor2D), [-1])),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [cs, ws, mapsSaved] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor];
        const positionSums = tf.reshape(tf.sum(dy, range(dy.rank - 1)), [1, -1]);
        const perTap = tf.matMul(cs, positionSums, true); // [channels, units]
        const dw = conv ? tf.broadcastTo(perTap, ws.shape) : perTap;
        // only the units with a non-zero weight from these inputs give them a gradient
        const dyLive = columns ? tf.gather(dy, columns, -1) : dy;
        const wLive = columns ? tf.gather(ws, columns, -1) : ws;
        const dMaps =
          columns?.length === 0
            ? tf.zerosLike(mapsSaved)
            : conv
              ? tf.conv2dTranspose(
                  dyLive as tf.Tensor4D,
                  wLive as tf.Tensor4D,
                  mapsSaved.shape as [number, number, number, number],
                  pair(config.strides),
                  'valid',
                )
              : tf.matMul(dyLive as tf.Tensor2D, wLive as tf.Tensor2D, false, true);
        return [dy, dMaps, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return probe(z, maps, w);
}

/**
 * `h · W` over a layer's computed units, where the weights into the gradient-only units (the
 * last ones, from `varying` on) are all zero: the forward pass computes the varying units
 * and gives the others zeros; the backward pass gives `W` its whole gradient in one product
 * and `h` its gradient through the varying units' weights only (the others' are zero), or
 * zeros when `h` needs none (the model's input).
 */
export function liveProduct(
  stage: WeightedStage,
  h: tf.Tensor,
  w: tf.Tensor,
  varying: number,
  inputNeedsGradient: boolean,
  pooled: PooledGradients | null,
): tf.Tensor {
  const conv = stage.layer.getClassName() === 'Conv2D';
  const config = configOf(stage.layer);
  const strides = pair(config.strides);
  const padding = config.padding as 'valid' | 'same';
  const lastAxis = (t: tf.Tensor, from: number, size: number) =>
    tf.slice(t, [...new Array<number>(t.rank - 1).fill(0), from], [...t.shape.slice(0, -1), size]);
  const product = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
    const [hIn, wIn, save] = args;
    const units = wIn.shape.at(-1)!;
    const wVarying = lastAxis(wIn, 0, varying);
    const outShape = pooled
      ? [hIn.shape[0]!, ...pooled.size]
      : conv
        ? (stage.layer.computeOutputShape(hIn.shape) as number[]).slice(0, -1)
        : [hIn.shape[0]!];
    const zeros = tf.zeros([...outShape, units - varying]);
    save([hIn, wVarying]);
    return {
      value: varying === 0 ? zeros : tf.concat([applyKernel(stage, hIn, wVarying), zeros], -1),
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) => {
        const [hSaved, wSaved] = saved as [tf.Tensor, tf.Tensor];
        const dw = conv
          ? tf.engine().runKernel('Conv2DBackpropFilter', { x: hSaved, dy: dz }, {
              strides: pooled ? pooled.strides : strides,
              pad: padding,
              dataFormat: 'NHWC',
              dimRoundingMode: undefined,
              filterShape: wIn.shape,
            } as unknown as tf.NamedAttrMap)
          : tf.matMul(hSaved as tf.Tensor2D, dz as tf.Tensor2D, true, false);
        if (!inputNeedsGradient || varying === 0) return [tf.zerosLike(hSaved), dw as tf.Tensor];
        const dzVarying = lastAxis(dz, 0, varying);
        const dh = conv
          ? tf.conv2dTranspose(
              dzVarying as tf.Tensor4D,
              wSaved as tf.Tensor4D,
              hSaved.shape as [number, number, number, number],
              strides,
              padding,
            )
          : tf.matMul(dzVarying as tf.Tensor2D, wSaved as tf.Tensor2D, false, true);
        return [dh, dw as tf.Tensor];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return product(h, w);
}

const pair = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];

/** `h · kernel` as the stage computes it: a matrix product (Dense) or its convolution (Conv2D). */
export function applyKernel(stage: WeightedStage, h: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  const config = configOf(stage.layer);
  if (stage.layer.getClassName() === 'Dense') {
    if (h.rank !== 2) {
      throw new RangeError(
        `SparseAwareStep: Dense '${stage.layer.name}' gets a rank-${h.rank} input; only rank 2 (after Flatten) is supported`,
      );
    }
    return tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
  }
  return tf.conv2d(
    h as tf.Tensor4D,
    kernel as tf.Tensor4D,
    pair(config.strides),
    config.padding as 'valid' | 'same',
    'NHWC',
    pair(config.dilationRate ?? 1),
  );
}
