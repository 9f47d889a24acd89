/** An optimizer whose learning rate can be read (ours, and tfjs's own). */
type WithLearningRate = { learningRate?: unknown; setLearningRate?: (lr: number) => void };

/**
 * The learning rate of an optimizer: ours ({@link LinBreg}, {@link AdaBreg}) and tfjs's
 * (`sgd`, `momentum`, `adam`, `rmsprop`, …) all keep it as `learningRate`.
 */
export function getLearningRate(optimizer: object): number {
  const lr = (optimizer as WithLearningRate).learningRate;
  if (typeof lr !== 'number') {
    throw new TypeError(
      `the optimizer (${optimizer.constructor?.name}) has no numeric learningRate to schedule`,
    );
  }
  return lr;
}

/**
 * Sets the learning rate of an optimizer, through `setLearningRate` where tfjs needs it
 * (`tf.train.sgd` and `tf.train.momentum` cache −τ as a tensor) and by assignment otherwise.
 */
export function setLearningRate(optimizer: object, learningRate: number): void {
  const target = optimizer as WithLearningRate;
  getLearningRate(optimizer); // same error for an optimizer without one
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
