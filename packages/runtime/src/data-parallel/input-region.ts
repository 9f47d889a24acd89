/**
 * A `SharedArrayBuffer` that carries one side of every batch (inputs or labels) to the
 * worker threads: it grows when a larger batch comes and is reused otherwise, so that steps
 * do not allocate.
 */
export class InputRegion {
  /** The current buffer (`null` before the first batch). */
  buffer: SharedArrayBuffer | null = null;

  /**
   * Copies `values[from…]` to the same place in the buffer (entries before `from` are not
   * written: the samples the main thread reads where they are), replacing the buffer by a
   * larger one first if needed (the threads get the buffer when their step loop starts: a
   * handle, not a copy).
   */
  write(values: Float32Array | Int32Array, from = 0): void {
    const bytes = values.length * 4;
    if (this.buffer === null || this.buffer.byteLength < bytes) {
      this.buffer = new SharedArrayBuffer(bytes);
    }
    const view = regionView(this.buffer, values instanceof Int32Array ? 'int32' : 'float32');
    view.set(values.subarray(from), from);
  }
}

/** A view of `buffer`'s entries as `dtype`. */
export function regionView(
  buffer: SharedArrayBuffer,
  dtype: 'float32' | 'int32',
): Float32Array | Int32Array {
  return dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
}
