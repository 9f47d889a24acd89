import * as tf from '@tensorflow/tfjs-core';

/** One side of a batch as a flat typed array and its shape (the first axis counts samples). */
export interface BatchArray {
  /** The entries, row-major. */
  values: Float32Array | Int32Array;
  /** The shape, `[samples, ...]`; its product is `values.length`. */
  shape: number[];
}

/** The inputs or the labels of one batch: a float32 / int32 tensor or a {@link BatchArray}. */
export type BatchInput = tf.Tensor | BatchArray;

/** One batch: inputs `x` and labels `y` with the same number of samples. */
export interface Batch {
  /** The inputs. */
  x: BatchInput;
  /** The labels (one-hot for the classification losses). */
  y: BatchInput;
}

/** A checked {@link BatchInput}: its shape, dtype and where its values are. */
export interface CheckedInput {
  /** `[samples, ...]`. */
  shape: number[];
  /** `float32` or `int32`. */
  dtype: 'float32' | 'int32';
  /** The entries of one sample. */
  rowSize: number;
  /** The tensor given, if a tensor was given. */
  tensor: tf.Tensor | null;
  /** The array given, if an array was given. */
  values: Float32Array | Int32Array | null;
}

/** Checks one side of a batch; `name` (e.g. `step: x`) goes into the errors. */
export function checkInput(name: string, input: unknown): CheckedInput {
  if (input instanceof tf.Tensor) {
    if (input.dtype !== 'float32' && input.dtype !== 'int32') {
      throw new TypeError(`${name} must be a float32 or int32 tensor, got ${input.dtype}`);
    }
    if (input.rank < 1 || input.shape[0] === 0) {
      throw new RangeError(`${name} must have at least one sample, got shape [${input.shape}]`);
    }
    const rowSize = input.size / input.shape[0]!;
    return { shape: [...input.shape], dtype: input.dtype, rowSize, tensor: input, values: null };
  }
  const array = input as Partial<BatchArray> | null;
  const values = array?.values;
  if (!(values instanceof Float32Array || values instanceof Int32Array)) {
    throw new TypeError(
      `${name} must be a tf.Tensor or {values: Float32Array | Int32Array, shape: number[]}`,
    );
  }
  const shape = array?.shape;
  if (
    !Array.isArray(shape) ||
    shape.length < 1 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0)
  ) {
    throw new TypeError(`${name}.shape must be an array of integers ≥ 0, got ${String(shape)}`);
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (size !== values.length || shape[0] === 0) {
    throw new RangeError(
      `${name}.shape [${shape}] must describe at least one sample and all ${values.length} values`,
    );
  }
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  return { shape: [...shape], dtype, rowSize: size / shape[0]!, tensor: null, values };
}

/** The first `count` samples of a checked input as a tensor the caller disposes. */
export function leadingRows(input: CheckedInput, count: number): tf.Tensor {
  const shape = [count, ...input.shape.slice(1)];
  if (input.tensor) return tf.slice(input.tensor, 0, count);
  const values = input.values!.subarray(0, count * input.rowSize);
  // the cpu backend would keep (not copy) the caller's array
  return tf.tensor(tf.getBackend() === 'cpu' ? values.slice() : values, shape, input.dtype);
}
