import { checkNonNegative } from './argument-checks.js';
import type { EntrywiseRegularizerConfig } from './regularizer.js';
import { checkOptionsObject } from './validation.js';

/** Options of {@link L1} and {@link L1Positive}. */
export interface L1Options {
  /** Regularization strength λ ≥ 0. */
  lambda: number;
}

/**
 * What {@link L1} and {@link L1Positive} share: λ, their answers to the optimizers'
 * questions, `scaled` and `getConfig`; the subclass has the math (value, prox, subgradient).
 */
export abstract class EntrywiseRegularizer {
  /** Regularization strength λ. */
  readonly lambda: number;
  /** Always false: `J` is not zero. */
  readonly isZero = false;
  /** Always false: `J` acts entry by entry. */
  readonly groupwise = false;

  /**
   * @param type - the registered type name, which also names the class in error messages.
   */
  protected constructor(
    private readonly type: EntrywiseRegularizerConfig['type'],
    options: L1Options,
  ) {
    checkOptionsObject(
      type,
      options,
      `with lambda (a finite number ≥ 0), e.g. new ${type}({ lambda: 0.1 })`,
    );
    checkNonNegative(`${type}: lambda`, options.lambda);
    this.lambda = options.lambda;
  }

  /** The same regularizer with λ × `factor`. */
  scaled(factor: number): this {
    checkNonNegative(`${this.type}.scaled: factor`, factor);
    const Same = this.constructor as new (options: L1Options) => this;
    return new Same({ lambda: this.lambda * factor });
  }

  /** `{type, lambda}`. */
  getConfig(): EntrywiseRegularizerConfig {
    return { type: this.type, lambda: this.lambda };
  }
}
