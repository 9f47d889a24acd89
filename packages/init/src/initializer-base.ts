import type { serialization } from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';

/** A tfjs-layers initializer: `apply(shape, dtype)` returns the initial value. */
export type Initializer = ReturnType<typeof initializers.zeros>;

/** The static side of tfjs-layers' `Initializer` class. */
export type InitializerClass = (abstract new () => Initializer) & {
  /** tfjs serialization: builds an instance from its `getConfig()`. */
  fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T;
};

/**
 * tfjs-layers' `Initializer` base class. Its package exports only factory functions, and
 * layers accept an initializer object only if it is an `instanceof` this very class (of
 * the tfjs-layers instance that runs), so it is taken from a live initializer rather than
 * from a deep import of a second copy.
 */
export const InitializerBase = Object.getPrototypeOf(
  initializers.zeros().constructor,
) as InitializerClass;
