/**
 * What sparsity helpers do with a model's output layer(s) — the layers whose outputs are the
 * model's outputs, or reach them only through layers without a kernel (activations,
 * dropout, reshapes):
 * - `'entrywiseOnly'` (the default of `sparsifyModel` in `@bregman/init` and `rulesForModel`
 *   in `@bregman/optimizers`): entry-wise sparsity as on every other layer, but no group
 *   (neuron, conv-kernel) sparsity. A group-sparse output layer at density r starts with
 *   about r of its outputs constant (at 5 % and 10 classes, most likely none alive), and a
 *   group regularizer can switch classes off for good;
 * - `'include'`: treated like every other layer;
 * - `'exclude'`: left alone (no sparse init, no regularizer).
 */
export type OutputLayerPolicy = 'entrywiseOnly' | 'include' | 'exclude';

/** Every {@link OutputLayerPolicy}. */
export const OUTPUT_LAYER_POLICIES: readonly OutputLayerPolicy[] = [
  'entrywiseOnly',
  'include',
  'exclude',
];

/** Throws unless `value` is an {@link OutputLayerPolicy}; the message names `name`. */
export function checkOutputLayerPolicy(
  name: string,
  value: unknown,
): asserts value is OutputLayerPolicy {
  if (!OUTPUT_LAYER_POLICIES.includes(value as OutputLayerPolicy)) {
    throw new RangeError(
      `${name} must be one of ${OUTPUT_LAYER_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`,
    );
  }
}

/** What {@link outputKernelLayers} reads of a layer's weight (a tfjs `LayerVariable`). */
export interface GraphWeight {
  /** The name without tfjs's uniqueness suffix, e.g. `dense_Dense1/kernel`. */
  readonly originalName?: string;
  /** The variable's name (used when `originalName` is absent). */
  readonly name?: string;
}

/** What {@link outputKernelLayers} reads of a call of a layer (a tfjs `Node`). */
export interface GraphNode {
  /** The layers whose outputs this call takes. */
  readonly inboundLayers?: readonly GraphLayer[];
}

/**
 * What {@link outputKernelLayers} reads of a tfjs layer or model (duck-typed, so that this
 * package needs no tfjs-layers).
 */
export interface GraphLayer {
  /** The layer's weights; one whose name ends in `kernel` makes it a kernel layer. */
  readonly weights?: readonly GraphWeight[];
  /** Inner layers, when the layer is itself a model. */
  readonly layers?: readonly GraphLayer[];
  /** A model's output layers (tfjs `Container.outputLayers`). */
  readonly outputLayers?: readonly GraphLayer[];
  /** The calls of the layer, each with the layers that feed it (tfjs `Node`s). */
  readonly inboundNodes?: readonly GraphNode[];
}

/**
 * The kernel layers (layers with a weight named `…kernel`: Dense, Conv, …) that compute a
 * model's outputs: each of `model.outputLayers` if it has a kernel; else, through layers
 * without one (Activation, Dropout, Flatten, Reshape, BatchNormalization, Add, …), the
 * kernel layers that feed it. A nested model met on the way is entered through its own
 * output layers. For an object with `layers` but no `outputLayers`, the last layer is the
 * output (as in a `Sequential`). Compared by identity with the objects of `model.layers`
 * (nested ones included).
 */
export function outputKernelLayers(model: GraphLayer): Set<GraphLayer> {
  const found = new Set<GraphLayer>();
  const seen = new Set<GraphLayer>();
  const visit = (layer: GraphLayer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (hasKernel(layer)) {
      found.add(layer);
      return;
    }
    if (layer.layers) {
      for (const output of outputsOf(layer)) visit(output);
      return;
    }
    for (const node of layer.inboundNodes ?? []) {
      for (const inbound of node.inboundLayers ?? []) visit(inbound);
    }
  };
  for (const output of outputsOf(model)) visit(output);
  return found;
}

function outputsOf(model: GraphLayer): readonly GraphLayer[] {
  if (model.outputLayers && model.outputLayers.length > 0) return model.outputLayers;
  // no graph (a plain {layers} object): walk back from the last layer with a kernel
  const layers = model.layers ?? [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (hasKernel(layer) || layer.layers) return [layer];
  }
  return [];
}

function hasKernel(layer: GraphLayer): boolean {
  if (layer.layers) return false;
  return (layer.weights ?? []).some((w) => /kernel$/.test(w.originalName ?? w.name ?? ''));
}
