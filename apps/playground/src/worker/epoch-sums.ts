import * as tf from '@tensorflow/tfjs';

/** The loss and the correct predictions summed over an epoch's batches, kept on the backend. */
export class EpochSums {
  private loss: tf.Scalar = tf.scalar(0);
  private correct: tf.Scalar = tf.scalar(0);
  /** Samples added since the epoch started. */
  samples = 0;
  /** Batches added since the epoch started. */
  batches = 0;

  /** Adds one batch: its mean loss and its number of correct predictions (both disposed). */
  add(loss: tf.Scalar, correct: tf.Scalar, batchSize: number): void {
    const [nextLoss, nextCorrect] = tf.tidy(() => [
      tf.add(this.loss, loss) as tf.Scalar,
      tf.add(this.correct, correct) as tf.Scalar,
    ]);
    for (const t of [this.loss, this.correct, loss, correct]) t.dispose();
    this.loss = nextLoss!;
    this.correct = nextCorrect!;
    this.samples += batchSize;
    this.batches += 1;
  }

  /** Mean loss per batch and accuracy so far this epoch (NaN before the first batch). */
  async read(): Promise<{ loss: number; accuracy: number }> {
    if (this.batches === 0) return { loss: Number.NaN, accuracy: Number.NaN };
    const [loss, correct] = await Promise.all([this.loss.data(), this.correct.data()]);
    return { loss: loss[0]! / this.batches, accuracy: correct[0]! / this.samples };
  }

  /** Starts a new epoch. */
  reset(): void {
    this.dispose();
    this.loss = tf.scalar(0);
    this.correct = tf.scalar(0);
    this.samples = 0;
    this.batches = 0;
  }

  /** Frees the sums. */
  dispose(): void {
    this.loss.dispose();
    this.correct.dispose();
  }
}
