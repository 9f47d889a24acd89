import {
  checkOutputLayerPolicy,
  type GraphLayer,
  type OutputLayerPolicy,
  outputKernelLayers,
  type Regularizer,
  type RegularizerRule,
} from '@bregman/core-prox';

/** Which regularizer to put on which kind of layer (see {@link rulesForModel}). */
export interface LayerRegularizers {
  /** For the kernels of `Dense` layers. */
  dense?: Regularizer;
  /** For the kernels of `Conv2D` layers. */
  conv?: Regularizer;
}

/** Options of {@link rulesForModel}: the regularizers per layer kind, and the output layer's. */
export interface RulesForModelOptions extends LayerRegularizers {
  /**
   * What the output layer(s) — the Dense / Conv2D layers that compute the model's outputs
   * (`outputKernelLayers` of `@bregman/core-prox`) — get: `'entrywiseOnly'` (default) their
   * kind's regularizer when it is entry-wise (`L1`, `L1Positive`), none when it has a group
   * term (`GroupL12`, `SparseGroupLasso`: it would switch whole outputs, i.e. classes, off);
   * `'include'` their kind's regularizer whatever it is (e.g. the denoiser of §4.6, whose
   * output neurons are pixels); `'exclude'` none.
   */
  outputLayer?: OutputLayerPolicy;
  /**
   * Per-layer choices by layer name (`layer.name`, e.g. `'dense_Dense2'` or a name you
   * gave): a regularizer for that layer's kernel instead of its kind's (e.g. a larger λ on
   * the wide first layer), or `null` for no rule. They win over `dense`, `conv` and
   * `outputLayer`. A name that is no Dense / Conv2D layer of the model is an error that lists
   * the names there are.
   */
  layers?: Readonly<Record<string, Regularizer | null>>;
}

/** The part of a tfjs layer this helper reads. */
interface LayerLike {
  getClassName(): string;
  name: string;
  trainableWeights: Array<{ name: string; originalName: string }>;
  layers?: LayerLike[];
}

/**
 * Rules that put `dense` on every `Dense` kernel and `conv` on every `Conv2D` kernel of a
 * model (nested models included); biases, BatchNorm and every other variable get none
 * (`J = 0`). Each rule matches one kernel by its layer-scoped name, with or without the
 * `_<n>` suffix tfjs appends when a name is taken (`^dense_Dense1/kernel(_\d+)?$`), so the
 * rules also fit the same model reloaded with `tf.loadLayersModel` (which keeps layer names).
 *
 * `layers` sets a layer's regularizer by name (another λ per layer, or none).
 *
 * The output layer gets no group regularizer unless asked: with `dense: new GroupL12(…)`
 * (neuron sparsity) its kernel has no rule, see {@link RulesForModelOptions.outputLayer}.
 *
 * @param model - a `tf.LayersModel` (or anything with tfjs layers).
 */
export function rulesForModel(
  model: { layers: readonly unknown[] },
  options: RulesForModelOptions,
): RegularizerRule[] {
  const { dense, conv, outputLayer = 'entrywiseOnly', layers = {} } = options ?? {};
  checkOutputLayerPolicy('rulesForModel: outputLayer', outputLayer);
  if (layers === null || typeof layers !== 'object') {
    throw new TypeError(
      `rulesForModel: layers must be an object of layer name → regularizer or null, got ${String(layers)}`,
    );
  }
  const kernelLayers: string[] = [];
  const outputs: ReadonlySet<unknown> = outputKernelLayers(model as GraphLayer);
  const rules: RegularizerRule[] = [];
  const visit = (layer: LayerLike) => {
    if (layer.layers) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    const kind = layer.getClassName();
    if (kind !== 'Dense' && kind !== 'Conv2D') return;
    kernelLayers.push(layer.name);
    const own = Object.hasOwn(layers, layer.name);
    const J = own ? layers[layer.name] : kind === 'Dense' ? dense : conv;
    if (!J) return;
    if (
      !own &&
      outputs.has(layer) &&
      (outputLayer === 'exclude' || (outputLayer === 'entrywiseOnly' && J.groupwise))
    ) {
      return;
    }
    for (const weight of layer.trainableWeights) {
      if (/(^|\/)kernel$/.test(weight.originalName)) {
        rules.push({
          match: new RegExp(`^${escapeRegExp(weight.originalName)}(_\\d+)?$`),
          regularizer: J,
        });
      }
    }
  };
  for (const layer of model.layers as LayerLike[]) visit(layer);
  const unknown = Object.keys(layers).filter((name) => !kernelLayers.includes(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `rulesForModel: layers names ${unknown.map((n) => `'${n}'`).join(', ')}, not a Dense or Conv2D layer of the model; its Dense / Conv2D layers are ${kernelLayers.map((n) => `'${n}'`).join(', ') || 'none'}`,
    );
  }
  return rules;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
