import * as tfl from '@tensorflow/tfjs-layers';
import { scalarValue } from './log-value.js';
import { describe } from './validation.js';

/** Anything with `write(text)`: `process.stdout`, `process.stderr`, a file stream. */
export interface TextSink {
  /** Called with each line, newline included. */
  write(text: string): unknown;
}

/** Options of {@link EpochLogger}. */
export interface EpochLoggerOptions {
  /**
   * Where the lines go: a function called with each line (default `console.log`), or a
   * writable stream (`process.stderr`, a file stream) that gets each line and a newline.
   */
  output?: ((line: string) => void) | TextSink;
  /** Significant digits of the logged values (an integer in [1, 21]; default 4). */
  digits?: number;
}

/**
 * A tfjs callback that prints one line per epoch of `model.fit`: the epoch (and of how many),
 * its wall time and every value of the epoch logs — `loss`, the metrics, `val_*`, and what
 * callbacks before it in the list added (e.g. `SparsityLogger`'s `nTotal`):
 *
 * ```text
 * epoch 3/10 (1.84 s): loss 0.3121, acc 0.9102, val_loss 0.3342, val_acc 0.9051
 * ```
 *
 * For Node without tfjs-node, where `verbose: 1` prints nothing (only tfjs-node registers a
 * progress bar). Put it after the callbacks whose logs it should show.
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new EpochLogger()] });
 * ```
 */
export class EpochLogger extends tfl.Callback {
  private readonly write: (line: string) => void;
  private readonly digits: number;
  private started = 0;

  constructor(options: EpochLoggerOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `EpochLogger: options must be an object {output?, digits?}, got ${describe(options)}`,
      );
    }
    const { output = console.log, digits = 4 } = options;
    if (typeof output === 'function') {
      this.write = output;
    } else if (output !== null && typeof (output as TextSink)?.write === 'function') {
      this.write = (line) => void (output as TextSink).write(`${line}\n`);
    } else {
      throw new TypeError(
        `EpochLogger: output must be a function (line: string) => void or a writable stream (an object with write), got ${describe(output)}`,
      );
    }
    if (!Number.isInteger(digits) || digits < 1 || digits > 21) {
      throw new RangeError(
        `EpochLogger: digits must be an integer in [1, 21], got ${String(digits)}`,
      );
    }
    this.digits = digits;
  }

  /** tfjs callback hook: starts the epoch's clock. */
  override async onEpochBegin(): Promise<void> {
    this.started = performance.now();
  }

  /** tfjs callback hook: prints the epoch's line. */
  override async onEpochEnd(epoch: number, logs?: tfl.Logs): Promise<void> {
    const seconds = (performance.now() - this.started) / 1000;
    const epochs = this.params?.epochs;
    const of = typeof epochs === 'number' ? `/${epochs}` : '';
    const values: string[] = [];
    for (const [key, value] of Object.entries(logs ?? {})) {
      values.push(`${key} ${this.format(await scalarValue(value))}`);
    }
    const head = `epoch ${epoch + 1}${of} (${seconds.toFixed(2)} s)`;
    this.write(values.length > 0 ? `${head}: ${values.join(', ')}` : head);
  }

  private format(value: number): string {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(this.digits)));
  }
}
