/** Throws unless `model` looks like a tfjs-layers model (an object with a `layers` array). */
export function checkModel(name: string, model: unknown): void {
  const layers = (model as { layers?: unknown } | null | undefined)?.layers;
  if (!Array.isArray(layers)) {
    throw new TypeError(
      `${name} must be a tf.LayersModel (tf.sequential / tf.model), got ${describe(model)}`,
    );
  }
}

/** `String(x)` for error messages, with the class name of objects. */
export function describe(x: unknown): string {
  if (x === null || typeof x !== 'object') return String(x);
  return `a ${(x as object).constructor?.name ?? 'object'}`;
}
