/** The two points of a data-parallel step every thread waits at. */
export type StepBarrier = 'published' | 'reduced';

const PUBLISHED = 0;
const REDUCED = 1;
const FAILED = 2;
const ABORTED = 3;
const SLOTS = 4;

/** The counter of `barrier`. */
const slot = (barrier: StepBarrier): number => (barrier === 'published' ? PUBLISHED : REDUCED);

/** How long one blocking wait of a worker thread lasts before it looks at `aborted` again, ms. */
const WAIT_SLICE_MS = 100;
/** How long the main thread spins before it waits asynchronously, ms. */
const SPIN_MS = 0.2;

/** `Atomics.waitAsync` (ES2024; Node ≥ 16), which the ES2022 library does not declare. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout: number,
    ): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/**
 * The barriers of one data-parallel step, in shared memory, so that the threads meet without
 * messages: every thread arrives at `published` once its shard's results are in the exchange
 * and at `reduced` once its slice of the sum is; past a barrier, every thread has arrived.
 * A thread whose shard failed marks the step failed before it arrives (every thread then skips
 * the rest of the step alike); the main thread aborts the step when a thread exits or crashes
 * mid-step, which releases every thread that waits. Worker threads wait blocking
 * (`Atomics.wait`); the main thread spins briefly, then waits asynchronously, so that its
 * event loop hears of a thread that exits. The main thread {@link StepBarriers.reset}s them
 * before each step, when no thread uses them.
 */
export class StepBarriers {
  /**
   * @param counters - the shared counters ({@link StepBarriers.allocate}).
   * @param threads - the threads that meet, the main thread included.
   */
  constructor(
    readonly counters: Int32Array,
    readonly threads: number,
  ) {}

  /** New zeroed counters, shared between threads. */
  static allocate(): Int32Array {
    return new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  }

  /** Zeroes the counters for the next step (main thread, between steps). */
  reset(): void {
    for (let i = 0; i < SLOTS; i++) Atomics.store(this.counters, i, 0);
  }

  /** This thread has reached `barrier`. */
  arrive(barrier: StepBarrier): void {
    const index = slot(barrier);
    Atomics.add(this.counters, index, 1);
    Atomics.notify(this.counters, index);
  }

  /** Marks the step failed (a shard threw): every thread skips its sum and its update. */
  markFailed(): void {
    Atomics.store(this.counters, FAILED, 1);
  }

  /** Whether a thread marked the step failed. */
  get failed(): boolean {
    return Atomics.load(this.counters, FAILED) !== 0;
  }

  /** Releases every thread that waits, until the next {@link StepBarriers.reset}: one is gone. */
  abort(): void {
    Atomics.store(this.counters, ABORTED, 1);
    Atomics.notify(this.counters, PUBLISHED);
    Atomics.notify(this.counters, REDUCED);
  }

  /** Whether the step was aborted. */
  get aborted(): boolean {
    return Atomics.load(this.counters, ABORTED) !== 0;
  }

  /**
   * Blocks until every thread has reached `barrier` (true) or the step is aborted (false).
   * For worker threads (a browser's main thread may not block).
   */
  waitBlocking(barrier: StepBarrier): boolean {
    const index = slot(barrier);
    for (;;) {
      const arrived = Atomics.load(this.counters, index);
      if (arrived >= this.threads) return true;
      if (this.aborted) return false;
      Atomics.wait(this.counters, index, arrived, WAIT_SLICE_MS);
    }
  }

  /**
   * Resolves with true once every thread has reached `barrier`, with false once the step is
   * aborted. For the main thread, whose event loop must run meanwhile (to hear of a thread
   * that exits, and abort).
   */
  async waitFor(barrier: StepBarrier): Promise<boolean> {
    const index = slot(barrier);
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      const arrived = Atomics.load(this.counters, index);
      if (arrived >= this.threads) return true;
      if (this.aborted) return false;
      if (performance.now() < spinUntil) continue;
      const wait = waitAsync(this.counters, index, arrived, WAIT_SLICE_MS);
      if (wait.async) await wait.value;
    }
  }
}
