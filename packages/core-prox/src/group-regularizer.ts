import { checkNonNegative } from './argument-checks.js';
import { type Groups, groupsOf } from './groups.js';
import type { GroupRegularizerConfig } from './regularizer.js';
import { checkAxesList, checkOptionsObject } from './validation.js';

/** Options of {@link GroupL12} and {@link SparseGroupLasso}. */
export interface GroupOptions {
  /** Regularization strength λ ≥ 0. */
  lambda: number;
  /**
   * The axes one group spans: a group is all entries that share their index on the other
   * axes. Neurons of a Dense kernel `[nIn, nOut]` (a neuron's incoming weights are a
   * column): `[0]`. Kernels of a Conv2D kernel `[kh, kw, cin, cout]` (one `[kh, kw]` slice
   * per `(cin, cout)` pair): `[0, 1]`. Negative axes count from the end. (core-prox's
   * `modelKernels` gives every kernel's axes for each kind of group.)
   */
  reduceAxes: number[];
}

/**
 * What {@link GroupL12} and {@link SparseGroupLasso} share: λ and the groups, their answers
 * to the optimizers' questions, `scaled` and `getConfig`; the subclass has the math.
 */
export abstract class GroupRegularizer {
  /** Regularization strength λ. */
  readonly lambda: number;
  /** The axes one group spans. */
  readonly reduceAxes: readonly number[];
  /** Always false: `J` is not zero. */
  readonly isZero = false;
  /** Always true: `J` zeroes whole groups. */
  readonly groupwise = true;
  /** Always true: `J` is finite everywhere. */
  readonly finite = true;

  /**
   * @param type - the registered type name, which also names the class in error messages.
   */
  protected constructor(
    private readonly type: GroupRegularizerConfig['type'],
    options: GroupOptions,
  ) {
    checkOptionsObject(
      type,
      options,
      `with lambda and reduceAxes, e.g. new ${type}({ lambda: 0.1, reduceAxes: [0] })`,
    );
    checkNonNegative(`${type}: lambda`, options.lambda);
    checkAxesList(`${type}: reduceAxes`, options.reduceAxes);
    this.lambda = options.lambda;
    this.reduceAxes = [...options.reduceAxes];
  }

  /** The groups of `x` (an error naming `reduceAxes` when `x` lacks one of its axes). */
  protected groupsOf(x: Parameters<typeof groupsOf>[1]): Groups {
    return groupsOf(`${this.type}: reduceAxes`, x, this.reduceAxes);
  }

  /** The same regularizer with λ × `factor`, on the same groups. */
  scaled(factor: number): this {
    checkNonNegative(`${this.type}.scaled: factor`, factor);
    const Same = this.constructor as new (options: GroupOptions) => this;
    return new Same({ lambda: this.lambda * factor, reduceAxes: [...this.reduceAxes] });
  }

  /** `{type, lambda, reduceAxes}`. */
  getConfig(): GroupRegularizerConfig {
    return { type: this.type, lambda: this.lambda, reduceAxes: [...this.reduceAxes] };
  }
}
