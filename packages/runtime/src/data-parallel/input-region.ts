/**
 * A `SharedArrayBuffer` that carries one side of every batch (inputs or labels) to the
 * worker threads: it grows when a larger batch comes and is reused otherwise, so that steps
 * do not allocate.
 */
export class InputRegion {
  /** The current buffer (`null` before the first batch). */
  buffer: SharedArrayBuffer | null = null;

  /**
   * Copies `values` to the start of the buffer, replacing the buffer by a larger one first if
   * needed (the threads get the buffer with every step: a handle, not a copy).
   */
  write(values: Float32Array | Int32Array): void {
    const bytes = values.length * 4;
    if (this.buffer === null || this.buffer.byteLength < bytes) {
      this.buffer = new SharedArrayBuffer(bytes);
    }
    regionView(this.buffer, values instanceof Int32Array ? 'int32' : 'float32').set(values);
  }
}

/** A view of `buffer`'s entries as `dtype`. */
export function regionView(
  buffer: SharedArrayBuffer,
  dtype: 'float32' | 'int32',
): Float32Array | Int32Array {
  return dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
}
