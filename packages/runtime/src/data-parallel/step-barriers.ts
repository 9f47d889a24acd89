/** The two points of a data-parallel step every thread waits at. */
export type StepBarrier = 'published' | 'reduced';

// the shared counters, by index
/** Arrivals at `published`, over all steps: step `s` is past it at `threads · s`. */
const PUBLISHED = 0;
/** Arrivals at `reduced`, over all steps. */
const REDUCED = 1;
/** The last step a thread marked failed (0: none). */
const FAILED = 2;
/** 1 once a thread is gone: every wait returns at once. */
const ABORTED = 3;
/** The last step the main thread posted. */
const POSTED = 4;
/** The batch size of the last posted step. */
const BATCH = 5;
/** 1 while the worker threads must leave their step loops. */
const STOP = 6;
const SLOTS = 7;

/** The counter of `barrier`. */
const slot = (barrier: StepBarrier): number => (barrier === 'published' ? PUBLISHED : REDUCED);

/** How long one blocking wait of a worker thread lasts before it looks at `aborted` again, ms. */
const WAIT_SLICE_MS = 100;
/**
 * How long a thread spins before it sleeps, ms: a thread that sleeps (`Atomics.wait`, or the
 * event loop) wakes up tens of microseconds after it is woken, and a small model's step (~1 ms)
 * meets the others at three points.
 */
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
 * The signals of data-parallel steps, in shared memory, so that the threads meet without
 * messages. The main thread {@link StepBarriers.post}s each step (its number and batch size);
 * each worker thread, in its step loop, waits for the {@link StepBarriers.next} one. Within
 * step `s`, every thread arrives at `published` once its shard's results are in the exchange,
 * and at `reduced` once its slice of the sum is; past a barrier, every thread has arrived. The
 * counters only grow (step `s` is past a barrier once `threads · s` arrivals are counted), so
 * the main thread can post step `s + 1` while a worker thread still applies step `s`.
 *
 * A thread whose shard failed marks the step failed before it arrives (every thread then skips
 * the rest of the step alike, and still arrives at `reduced`, so that the counts hold); the main thread aborts every wait, for good, when a thread
 * exits, crashes or fails mid-step, and stops the step loops before it sends the threads
 * anything else. Worker threads wait blocking (`Atomics.wait`); the main thread waits
 * asynchronously, so that its event loop hears of a thread that exits. Both spin briefly first.
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

  /** The last step posted (0 before the first). */
  get posted(): number {
    return Atomics.load(this.counters, POSTED);
  }

  /**
   * Posts the next step, of `batchSize` samples, to the worker threads' step loops (main
   * thread, once the previous step is past `reduced`); returns its number.
   */
  post(batchSize: number): number {
    Atomics.store(this.counters, BATCH, batchSize);
    const step = Atomics.add(this.counters, POSTED, 1) + 1;
    Atomics.notify(this.counters, POSTED);
    return step;
  }

  /** The batch size of the last posted step. */
  get batchSize(): number {
    return Atomics.load(this.counters, BATCH);
  }

  /** Tells the worker threads to leave their step loops (after the step they are in). */
  stop(): void {
    Atomics.store(this.counters, STOP, 1);
    Atomics.notify(this.counters, POSTED);
  }

  /** Lets step loops run again (main thread, before it starts them). */
  resume(): void {
    Atomics.store(this.counters, STOP, 0);
  }

  /**
   * Waits for a step after step `seen` (worker thread, in its step loop): its number, or 0 when
   * the loop must end (aborted; or stopped, once every posted step is run: the main thread may
   * stop the loops right after a step it abandoned, which the threads still count).
   */
  next(seen: number): number {
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      if (this.aborted) return 0;
      // `stop` read first: a step posted before the stop is then seen below
      const stopped = Atomics.load(this.counters, STOP) !== 0;
      const posted = Atomics.load(this.counters, POSTED);
      if (posted > seen) return seen + 1;
      if (stopped) return 0;
      if (performance.now() < spinUntil) continue;
      Atomics.wait(this.counters, POSTED, posted, WAIT_SLICE_MS);
    }
  }

  /** This thread has reached `barrier` in the current step. */
  arrive(barrier: StepBarrier): void {
    const index = slot(barrier);
    Atomics.add(this.counters, index, 1);
    Atomics.notify(this.counters, index);
  }

  /** Marks `step` failed (a shard threw): every thread skips its sum and its update. */
  markFailed(step: number): void {
    Atomics.store(this.counters, FAILED, step);
  }

  /** Whether a thread marked `step` failed. */
  failed(step: number): boolean {
    return Atomics.load(this.counters, FAILED) === step;
  }

  /** Releases every thread that waits, now and later: one is gone. */
  abort(): void {
    Atomics.store(this.counters, ABORTED, 1);
    for (const index of [PUBLISHED, REDUCED, POSTED]) Atomics.notify(this.counters, index);
  }

  /** Whether the steps were aborted. */
  get aborted(): boolean {
    return Atomics.load(this.counters, ABORTED) !== 0;
  }

  /**
   * Whether every thread has reached counter `index`'s `target` (true), the steps are aborted
   * (false), or else the arrivals counted so far (the value to wait on).
   */
  private reached(index: number, target: number): boolean | number {
    const arrived = Atomics.load(this.counters, index);
    if (arrived >= target) return true;
    return this.aborted ? false : arrived;
  }

  /**
   * Blocks until every thread has reached `barrier` in `step` (true) or the steps are aborted
   * (false). For worker threads (a browser's main thread may not block).
   */
  waitBlocking(barrier: StepBarrier, step: number): boolean {
    const index = slot(barrier);
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      const arrived = this.reached(index, this.threads * step);
      if (typeof arrived === 'boolean') return arrived;
      if (performance.now() >= spinUntil) {
        Atomics.wait(this.counters, index, arrived, WAIT_SLICE_MS);
      }
    }
  }

  /**
   * Resolves with true once every thread has reached `barrier` in `step`, with false once the
   * steps are aborted. For the main thread, whose event loop must run meanwhile (to hear of a
   * thread that exits, and abort).
   */
  async waitFor(barrier: StepBarrier, step: number): Promise<boolean> {
    const index = slot(barrier);
    const spinUntil = performance.now() + SPIN_MS;
    for (;;) {
      const arrived = this.reached(index, this.threads * step);
      if (typeof arrived === 'boolean') return arrived;
      if (performance.now() >= spinUntil) {
        const wait = waitAsync(this.counters, index, arrived, WAIT_SLICE_MS);
        if (wait.async) await wait.value;
      }
    }
  }
}
