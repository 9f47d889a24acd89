import * as tf from '@tensorflow/tfjs-core';

/**
 * The name under which a backend may register a kernel that computes {@link softmaxCrossEntropy}'s
 * forward pass in one call (this package registers one for `wasm`): inputs `logits` and
 * `labels` (float32, one shape, classes on the last axis); outputs the loss (a scalar) and
 * `log softmax(logits)` (the gradient's input), each as `tf.losses.softmaxCrossEntropy`'s
 * composition computes them on the cpu backend.
 */
export const SOFTMAX_CROSS_ENTROPY_KERNEL = 'BregmanSoftmaxCrossEntropy';

/**
 * The name under which a backend may register the gradient of
 * {@link SOFTMAX_CROSS_ENTROPY_KERNEL} with respect to the logits: inputs `dy` (scalar),
 * `logp` and `labels`; output `(dy / rows)·(e^logp − labels)`, float32 after every operation.
 */
export const SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL = 'BregmanSoftmaxCrossEntropyGrad';

/**
 * Softmax cross-entropy of `logits` against `labels`, averaged over the rows (every axis but the
 * last, the classes): `mean over rows of −Σ_j labels_j · log softmax(logits)_j`, as
 * `tf.losses.softmaxCrossEntropy(labels, logits)` (no weights, no label smoothing). Where the
 * backend has {@link SOFTMAX_CROSS_ENTROPY_KERNEL} (`wasm` with `registerWasmTrainingKernels`,
 * which `startWasmBackend` calls) it runs in 2 kernel calls instead of ~30 — a small model's
 * training step spends most of its loss time in tfjs's per-call overhead — and gives the value
 * and logits gradient of that composition on the cpu backend, bit for bit (tfjs-backend-wasm's
 * own composition sums in float32 and may differ in the last bits). Elsewhere it runs the
 * composition. The labels are constants: no gradient flows to them.
 *
 * @param labels - one-hot labels or class probabilities, of the logits' shape (float32, int32 or
 *   bool).
 * @param logits - unnormalized log-probabilities, classes on the last axis (rank ≥ 1, at least
 *   one row and one class; float32 or int32).
 * @returns the mean loss, a float32 scalar.
 *
 * @example
 * ```ts
 * model.compile({ optimizer, loss: softmaxCrossEntropy });
 * // or: optimizer.minimize(() => softmaxCrossEntropy(y, model.apply(x) as tf.Tensor));
 * ```
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  checkInputs(labels, logits);
  return tf.tidy(() => {
    const t = labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32');
    const x = logits.dtype === 'float32' ? logits : tf.cast(logits, 'float32');
    return lossAgainst(t)(x);
  });
}

/** The loss as a function of the logits alone, with its gradient (labels held fixed). */
function lossAgainst(labels: tf.Tensor): (logits: tf.Tensor) => tf.Scalar {
  return tf.customGrad((logits: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x = logits as tf.Tensor;
    const [value, logp] = hasKernel(SOFTMAX_CROSS_ENTROPY_KERNEL)
      ? (tf
          .engine()
          .runKernel(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits: x, labels }, {}) as unknown as [
          tf.Scalar,
          tf.Tensor,
        ])
      : composedLoss(labels, x);
    (save as tf.GradSaveFunc)([labels, logp]);
    return {
      value,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [t, lp] = saved as [tf.Tensor, tf.Tensor];
        if (hasKernel(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL)) {
          return tf
            .engine()
            .runKernel(
              SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL,
              { dy, logp: lp, labels: t },
              {},
            ) as tf.Tensor;
        }
        return tf.mul(
          tf.div(dy, tf.scalar(lp.size / lp.shape[lp.rank - 1]!)),
          tf.sub(tf.exp(lp), t),
        );
      },
    };
  }) as (logits: tf.Tensor) => tf.Scalar;
}

/** tfjs-core's composition (`softmaxCrossEntropyWithLogits_`, then the mean over the rows). */
function composedLoss(labels: tf.Tensor, logits: tf.Tensor): [tf.Scalar, tf.Tensor] {
  const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
  const rowLosses = tf.sum(tf.neg(tf.mul(logp, labels)), -1);
  return [tf.div(tf.sum(rowLosses), tf.scalar(rowLosses.size)), logp];
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

const LABEL_DTYPES = ['float32', 'int32', 'bool'];
const LOGIT_DTYPES = ['float32', 'int32'];

function checkInputs(labels: unknown, logits: unknown): void {
  for (const [name, value, dtypes] of [
    ['labels', labels, LABEL_DTYPES],
    ['logits', logits, LOGIT_DTYPES],
  ] as const) {
    if (!(value instanceof tf.Tensor)) {
      throw new TypeError(
        `softmaxCrossEntropy: ${name} must be a tf.Tensor, got ${describe(value)}`,
      );
    }
    if (!dtypes.includes(value.dtype)) {
      throw new TypeError(
        `softmaxCrossEntropy: ${name} must be ${dtypes.join(' or ')}, got ${value.dtype}`,
      );
    }
  }
  const [t, x] = [labels as tf.Tensor, logits as tf.Tensor];
  if (x.rank < 1 || x.size === 0) {
    throw new RangeError(
      `softmaxCrossEntropy: logits must have at least one row and one class (classes on the last axis), got shape [${x.shape.join(', ')}]`,
    );
  }
  if (t.rank !== x.rank || t.shape.some((d, i) => d !== x.shape[i])) {
    throw new RangeError(
      `softmaxCrossEntropy: labels must have the logits' shape [${x.shape.join(', ')}], got [${t.shape.join(', ')}]`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}
