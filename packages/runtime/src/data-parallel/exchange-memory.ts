import { type WasmMemory, webAssembly } from '../wasm-kernels/simd/web-assembly.js';

const PAGE = 65536;
/** The SIMD kernels' module declares at least this many pages of the memory it imports. */
const MIN_PAGES = 2;

/** The views of one thread on the memory the threads of a data-parallel run share. */
export interface ExchangeViews {
  /** One results region per thread, in thread order, `regionBytes` apart. */
  regions: Float32Array[];
  /** The share-weighted sums of the regions. */
  sums: Float32Array;
  /** This thread's own table of the shards' shares (`threads` doubles). */
  shares: Float64Array;
  /** Bytes from one region to the next. */
  regionBytes: number;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * The bytes of the exchange of `threads` threads whose regions hold `entries` floats each:
 * the regions one after the other, the sums, then one share table per thread.
 */
function exchangeBytes(entries: number, threads: number): number {
  const regionBytes = align16(entries * 4);
  return (threads + 1) * regionBytes + threads * align16(threads * 8);
}

/**
 * The memory the threads of a data-parallel run share for their gradient exchange: a shared
 * `WebAssembly.Memory` (so that the WebAssembly SIMD kernels can sum in it), or a
 * `SharedArrayBuffer` where one cannot be made.
 */
export function allocateExchangeMemory(
  entries: number,
  threads: number,
): WasmMemory | SharedArrayBuffer {
  const bytes = exchangeBytes(entries, threads);
  const pages = Math.max(MIN_PAGES, Math.ceil(bytes / PAGE));
  try {
    return new webAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return new SharedArrayBuffer(bytes);
  }
}

/** The buffer of an exchange memory. */
export function exchangeBuffer(memory: WasmMemory | SharedArrayBuffer): SharedArrayBuffer {
  return (memory instanceof SharedArrayBuffer ? memory : memory.buffer) as SharedArrayBuffer;
}

/** Thread `index`'s views on an exchange memory of `threads` threads, `entries` per region. */
export function exchangeViews(
  buffer: SharedArrayBuffer,
  entries: number,
  threads: number,
  index: number,
): ExchangeViews {
  const regionBytes = align16(entries * 4);
  const regions = Array.from(
    { length: threads },
    (_, k) => new Float32Array(buffer, k * regionBytes, entries),
  );
  const sums = new Float32Array(buffer, threads * regionBytes, entries);
  const tables = (threads + 1) * regionBytes;
  const shares = new Float64Array(buffer, tables + index * align16(threads * 8), threads);
  return { regions, sums, shares, regionBytes };
}
