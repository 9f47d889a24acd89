import { Worker } from 'node:worker_threads';
import type { DoneMessage, FromWorker, ReadyMessage, ToWorker } from './protocol.js';

/**
 * The main thread's handle on one worker thread: sends one request at a time and settles it
 * with the answer, or rejects it when the thread fails (an error it reports, an uncaught
 * exception, an exit). A thread that exited or crashed stays failed: every later request
 * rejects at once with the same error. Between requests the thread does not keep the process
 * alive (it is unref'd).
 */
export class ReplicaThread {
  /** `worker thread <index>`, in errors. */
  readonly label: string;
  private readonly worker: Worker;
  private pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private gone: Error | null = null;
  private terminating = false;

  constructor(
    readonly index: number,
    script: URL,
  ) {
    this.label = `worker thread ${index}`;
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => {
      const pending = this.pending;
      this.pending = null;
      this.worker.unref();
      if (!pending) return;
      if (message.type === 'failed') {
        const error = new Error(`${this.label}: ${message.message}`);
        if (message.stack) error.stack = `${error.message}\n(in the thread) ${message.stack}`;
        pending.reject(error);
      } else {
        pending.resolve(message);
      }
    });
    this.worker.on('error', (error) => this.fail(`crashed: ${error.message}`));
    this.worker.on('messageerror', (error) =>
      this.fail(`sent a message that cannot be read: ${error.message}`),
    );
    this.worker.on('exit', (code) =>
      this.fail(
        this.terminating ? 'was terminated (the trainer was disposed)' : `exited with code ${code}`,
      ),
    );
  }

  /** Whether the thread has failed or exited. */
  get failed(): Error | null {
    return this.gone;
  }

  /**
   * Sends `message` and resolves with the answer. The thread keeps the process alive until it
   * answers, unless `keepAlive` is false (a step loop, which waits for steps between the
   * trainer's calls: {@link ReplicaThread.hold} keeps the process alive during each step).
   */
  request(message: ToWorker & { type: 'init' }): Promise<ReadyMessage>;
  request(message: ToWorker, options?: { keepAlive: boolean }): Promise<DoneMessage>;
  request(message: ToWorker, { keepAlive = true } = {}): Promise<FromWorker> {
    if (this.gone) return Promise.reject(this.gone);
    if (this.pending) return Promise.reject(new Error(`${this.label}: a request is still running`));
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending = { resolve, reject };
      if (keepAlive) this.worker.ref();
      this.worker.postMessage(message);
    });
  }

  /** Whether the thread keeps the process alive (while the main thread waits for it). */
  hold(on: boolean): void {
    if (on) this.worker.ref();
    else this.worker.unref();
  }

  /** Ends the thread (a pending request rejects). */
  async terminate(): Promise<void> {
    this.terminating = true;
    await this.worker.terminate();
  }

  private fail(why: string): void {
    this.gone ??= new Error(`${this.label} ${why}`);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(this.gone);
  }
}
