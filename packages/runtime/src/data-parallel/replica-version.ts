import type * as tf from '@tensorflow/tfjs-core';
import { describeOptimizer } from './optimizer-replica.js';

/**
 * What the replicas were last made equal to: the identity of the main thread's weight and
 * optimizer-state tensors (`variable.assign`, `model.setWeights` and `optimizer.setWeights`
 * give a variable new data, so a new `dataId`) and the optimizer's config (a learning-rate or
 * λ schedule changes it). {@link ReplicaVersion.changed} tells whether anything was changed
 * on the main thread since then, other than by the trainer's own steps: then the replicas
 * must load the main thread's weights and optimizer again.
 */
export class ReplicaVersion {
  private ids: unknown[] = [];
  private config = '';

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly optimizer: tf.Optimizer,
  ) {}

  /** Records the present state as the one the replicas hold. */
  async record(): Promise<void> {
    this.ids = await this.identities();
    this.config = this.describe();
  }

  /** Whether the weights, the optimizer's state or its config changed since {@link record}. */
  async changed(): Promise<boolean> {
    if (this.describe() !== this.config) return true;
    const ids = await this.identities();
    return ids.length !== this.ids.length || ids.some((id, i) => id !== this.ids[i]);
  }

  private describe(): string {
    const names = this.variables.map((v) => v.name);
    return JSON.stringify(describeOptimizer(this.optimizer, names));
  }

  private async identities(): Promise<unknown[]> {
    const weights = await this.optimizer.getWeights();
    const ids: unknown[] = this.variables.map((v) => v.dataId);
    for (const { name, tensor } of weights) {
      // `iter` is a fresh scalar each time: its value is what counts
      if (name === 'iter') {
        ids.push(tensor.dataSync()[0]);
        tensor.dispose();
      } else ids.push(tensor.dataId);
    }
    return ids;
  }
}
