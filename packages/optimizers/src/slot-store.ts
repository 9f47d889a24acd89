import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './optimizer-weights.js';

/**
 * An optimizer's per-variable state, keyed by variable name: a few named tensors ("slots")
 * per variable, e.g. LinBreg's subgradient `v` and the momentum `m`, or AdaBreg's `v`, `m1`
 * and `m2`. It is saved and restored in tfjs's optimizer-weights naming (`iter`, then
 * `<variable name>/<slot>`), matches restored state to the variables of a later step (by
 * exact name, else without tfjs's `_<n>` suffix) and checks each slot against its variable's
 * shape. The tensors are the store's own (non-trainable variables); {@link dispose} frees them.
 * {@link RegularizedOptimizer} keeps one for its subclasses.
 */
export class SlotStore {
  /** Per variable name: its slots by slot name. */
  private readonly state = new Map<string, Map<string, Variable>>();
  /** Variables restored by {@link restore} that no variable has claimed yet. */
  private readonly unclaimed = new Set<string>();
  /** The slots every variable has, in checkpoint order. */
  private readonly required: readonly string[];

  /**
   * @param owner - names the optimizer in error messages (e.g. `LinBreg`).
   * @param slots - every slot's name, in the order a checkpoint lists them per variable.
   * @param optional - those of `slots` a variable may lack (created by
   *   {@link SlotStore.optionalSlot}); the others every variable has, zeros at first.
   */
  constructor(
    private readonly owner: string,
    private readonly slots: readonly string[] = [],
    optional: readonly string[] = [],
  ) {
    this.required = slots.filter((slot) => !optional.includes(slot));
  }

  /**
   * The required slots of `variable`, in `slots` order: zeros like it on its first use,
   * restored state after {@link restore}. Throws when one does not have the variable's shape.
   */
  requiredSlots(variable: Variable): Variable[] {
    const slots = this.slotsOf(variable);
    return this.required.map((slot) => this.checked(variable, slot, slots.get(slot)!));
  }

  /**
   * The optional slot `slot` of `variable`. When it has none, `init` creates it (its value is
   * copied); when `init` is null the variable must not have it now, and one it has is
   * disposed (the result is then null). Throws when it does not have the variable's shape.
   */
  optionalSlot(variable: Variable, slot: string, init: (() => Tensor) | null): Variable | null {
    const slots = this.slotsOf(variable);
    let value = slots.get(slot);
    if (!value && init) {
      value = tf.variable(init(), false);
      slots.set(slot, value);
    }
    if (!value) return null;
    this.checked(variable, slot, value);
    if (init) return value;
    value.dispose();
    slots.delete(slot);
    return null;
  }

  /** Each variable name that has the slot `slot`, with it (the store's own tensor). */
  *variablesWith(slot: string): IterableIterator<[string, Variable]> {
    for (const [name, slots] of this.state) {
      const value = slots.get(slot);
      if (value) yield [name, value];
    }
  }

  /**
   * The checkpoint: `iter` (as the optimizer's `saveIterations()` writes it), then per
   * variable `<name>/<slot>` for each slot it has, in `slots` order. The slot tensors are the
   * store's own: read them, do not dispose them.
   */
  save(iter: NamedTensor): NamedTensor[] {
    const weights = [iter];
    for (const [name, slots] of this.state) {
      for (const slot of this.slots) {
        const tensor = slots.get(slot);
        if (tensor) weights.push({ name: `${name}/${slot}`, tensor });
      }
    }
    return weights;
  }

  /**
   * Replaces the whole state with a checkpoint from {@link save} and returns its iteration
   * count. Every name after `iter` must be `<variable>/<slot>` with a known slot, and every
   * variable must have all required slots (a store without slots accepts only `iter`). The
   * restored state is unclaimed until {@link claim} hands it to variables. The tensors are
   * copied; the caller keeps ownership of its own.
   */
  async restore(weights: readonly NamedTensor[]): Promise<number> {
    const [first, ...rest] = weights;
    if (first?.name !== 'iter') {
      throw new Error(
        `${this.owner}.setWeights: the first weight must be 'iter' (as getWeights writes), got '${first?.name}'`,
      );
    }
    if (this.slots.length === 0 && rest.length > 0) {
      throw new Error(
        `${this.owner}.setWeights: ${this.owner} keeps no per-variable state, got '${rest[0]!.name}'${rest.length > 1 ? ` and ${rest.length - 1} more` : ''}; was it saved by another optimizer?`,
      );
    }
    const iterations = (await first.tensor.data())[0] as number;
    const byVariable = new Map<string, Map<string, Tensor>>();
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const slot = name.slice(cut + 1);
      if (cut <= 0 || !this.slots.includes(slot)) {
        throw new Error(
          `${this.owner}.setWeights: '${name}' is not '<variable>/<slot>' with slot one of ${this.slots.join(', ')}`,
        );
      }
      const variable = name.slice(0, cut);
      if (!byVariable.has(variable)) byVariable.set(variable, new Map());
      byVariable.get(variable)!.set(slot, tensor);
    }
    for (const [variable, slots] of byVariable) {
      const missing = this.required.filter((slot) => !slots.has(slot));
      if (missing.length > 0) {
        throw new Error(
          `${this.owner}.setWeights: '${variable}' lacks ${missing.map((s) => `'${variable}/${s}'`).join(', ')}`,
        );
      }
    }
    this.dispose();
    for (const [variable, slots] of byVariable) {
      const restored = new Map<string, Variable>();
      for (const slot of this.slots) {
        const tensor = slots.get(slot);
        if (tensor) restored.set(slot, tf.variable(tensor, false));
      }
      this.state.set(variable, restored);
      this.unclaimed.add(variable);
    }
    return iterations;
  }

  /**
   * After {@link restore}, hands restored state to the variables of this step: by exact name,
   * else to the one restored under the same name without tfjs's `_<n>` uniqueness suffix
   * (`dense_Dense1/kernel_1` ↔ `dense_Dense1/kernel`), which is how `tf.loadLayersModel`
   * names a reloaded model. A variable that needs state and finds none while restored state
   * stays unclaimed is an error (the checkpoint was written for other names), never a silent
   * fresh start. Does nothing once all restored state is claimed.
   *
   * @param names - the variables about to be updated.
   * @param needsState - whether a variable has state to find (e.g. a variable with only an
   *   optional slot, which it does not use, needs none).
   */
  claim(names: readonly string[], needsState: (name: string) => boolean): void {
    if (this.unclaimed.size === 0) return;
    for (const name of names) if (this.state.has(name)) this.unclaimed.delete(name);
    const orphans: string[] = [];
    for (const name of names) {
      if (this.state.has(name) || !needsState(name)) continue;
      const base = withoutUniqueSuffix(name);
      const candidates = [...this.unclaimed].filter((n) => withoutUniqueSuffix(n) === base);
      if (candidates.length !== 1) {
        orphans.push(name);
        continue;
      }
      const saved = candidates[0] as string;
      this.state.set(name, this.state.get(saved)!);
      this.state.delete(saved);
      this.unclaimed.delete(saved);
    }
    if (orphans.length > 0 && this.unclaimed.size > 0) {
      const list = (xs: string[]) =>
        xs
          .slice(0, 4)
          .map((n) => `'${n}'`)
          .join(', ') + (xs.length > 4 ? ', …' : '');
      throw new Error(
        `${this.owner}: no restored state for ${list(orphans)}, while the state restored for ${list([...this.unclaimed])} is unclaimed: the checkpoint was written for variables with other names. Map them with renameOptimizerWeights(weights, {oldName: newName}) before setWeights.`,
      );
    }
  }

  /** Disposes every slot and forgets all state (the variables themselves are untouched). */
  dispose(): void {
    for (const slots of this.state.values()) tf.dispose([...slots.values()]);
    this.state.clear();
    this.unclaimed.clear();
  }

  /** The slots of `variable`, created (its required slots as zeros) on its first use. */
  private slotsOf(variable: Variable): Map<string, Variable> {
    let slots = this.state.get(variable.name);
    if (!slots) {
      slots = new Map(
        this.required.map((slot) => [slot, tf.variable(tf.zerosLike(variable), false)]),
      );
      this.state.set(variable.name, slots);
    }
    return slots;
  }

  private checked(variable: Variable, slot: string, value: Variable): Variable {
    if (!tf.util.arraysEqual(value.shape, variable.shape)) {
      throw new Error(
        `${this.owner}: state '${variable.name}/${slot}' has shape [${value.shape}] but the variable has shape [${variable.shape}]; was the state restored for another model?`,
      );
    }
    return value;
  }
}

/** A tfjs variable name without the `_<n>` suffix tfjs adds to make names unique. */
function withoutUniqueSuffix(name: string): string {
  return name.replace(/_\d+$/, '');
}
