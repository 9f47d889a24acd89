/**
 * A {@link DataParallelTrainer.step} whose batch loss was NaN or infinite: no thread applied
 * the step, the weights and the optimizer are as they were, and the trainer can go on (with
 * another batch, a smaller learning rate, or restored weights).
 */
export class NonFiniteLossError extends Error {
  /** The batch's loss. */
  readonly loss: number;

  constructor(message: string, loss: number) {
    super(message);
    this.name = 'NonFiniteLossError';
    this.loss = loss;
  }
}
