/**
 * The message of the error that a synchronous read (`dataSync`, `arraySync`) of a tensor on
 * the GPU throws once {@link startWebgpuBackend} started the `webgpu` backend in Node.
 */
export const WEBGPU_SYNC_READ_ERROR =
  'the webgpu backend cannot read a tensor synchronously in Node.js (dataSync, arraySync, ' +
  'bufferSync, or a tensor used after switching backends): tfjs-backend-webgpu reads ' +
  'synchronously through OffscreenCanvas, a browser API. Read with await tensor.data() or ' +
  'await tensor.array() instead';

/** The part of tfjs-backend-webgpu's `WebGPUBackend` that {@link refuseSyncReads} changes. */
interface SyncReader {
  readSync(dataId: object): unknown;
  /** Set once tfjs-backend-webgpu has warned that synchronous reads are slow. */
  hasReadSyncWarned?: boolean;
}

/**
 * Replaces the failure of a synchronous read (`dataSync`, `arraySync`, moving a tensor to
 * another backend) of a tensor that lives on the GPU — `ReferenceError: OffscreenCanvas is not
 * defined` in Node — by an error that says what happened and what to do instead. Reads that
 * work (values still on the CPU, strings) are unchanged; where `OffscreenCanvas` exists
 * nothing is changed.
 */
export function refuseSyncReads(backend: SyncReader): void {
  if ('OffscreenCanvas' in globalThis) return;
  const stock = backend.readSync.bind(backend);
  // its warning ("the performance of synchronously reading … is poor") would precede the error
  backend.hasReadSyncWarned = true;
  backend.readSync = (dataId: object) => {
    try {
      return stock(dataId);
    } catch (error) {
      if (error instanceof ReferenceError && /OffscreenCanvas/.test(error.message)) {
        throw new Error(WEBGPU_SYNC_READ_ERROR, { cause: error });
      }
      throw error;
    }
  };
}
