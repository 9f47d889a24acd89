import {
  checkOutputLayerPolicy,
  type GraphLayer,
  modelKernels,
  type OutputLayerPolicy,
  outputKernelLayers,
  type Regularizer,
  type RegularizerRule,
} from '@bregman/core-prox';

/** Which regularizer to put on which kind of layer (see {@link rulesForModel}). */
export interface LayerRegularizers {
  /** For the kernels of `Dense` layers. */
  dense?: Regularizer;
  /**
   * For the kernels of the convolution layers (Conv2D, and Conv1D, Conv3D, Conv2DTranspose,
   * DepthwiseConv2D, SeparableConv2D). A group regularizer's `reduceAxes` are a kernel's
   * axes, which differ between these layouts: a group `conv` regularizer is refused on a
   * kernel whose layout differs from Conv2D's (give that layer its own in `layers`).
   */
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
   * `outputLayer`. A name that is no Dense / convolution layer of the model is an error that lists
   * the names there are.
   */
  layers?: Readonly<Record<string, Regularizer | null>>;
}

/**
 * Rules that put `dense` on every `Dense` kernel and `conv` on every convolution kernel of a
 * model (core-prox's `modelKernels`: nested models and `TimeDistributed` included, shared
 * layers once, trainable kernels only); biases, BatchNorm and every other variable get none
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
  const kernels = modelKernels(model, 'rulesForModel');
  const kernelLayers = [...new Set(kernels.map((k) => k.layerName))];
  const outputs: ReadonlySet<unknown> = outputKernelLayers(model as GraphLayer);
  const rules: RegularizerRule[] = [];
  for (const kernel of kernels) {
    const own = Object.hasOwn(layers, kernel.layerName);
    const J = own ? layers[kernel.layerName] : kernel.kind === 'Dense' ? dense : conv;
    if (!J || !kernel.variable.trainable) continue;
    if (
      !own &&
      outputs.has(kernel.layer) &&
      (outputLayer === 'exclude' || (outputLayer === 'entrywiseOnly' && J.groupwise))
    ) {
      continue;
    }
    if (!own && J.groupwise && kernel.kind !== 'Dense' && kernel.kind !== 'Conv2D') {
      throw new RangeError(
        `rulesForModel: the conv regularizer has groups laid out for Conv2D kernels [kh, kw, cin, cout]; layer '${kernel.layerName}' is ${kernel.kind} (kernel [${kernel.variable.shape.join(', ')}], neuron groups reduceAxes [${kernel.groupAxes.neuron.join(', ')}]${kernel.groupAxes.kernel ? `, kernel groups [${kernel.groupAxes.kernel.join(', ')}]` : ''}): give it its own in layers, e.g. layers: {'${kernel.layerName}': new GroupL12({lambda, reduceAxes: [${(kernel.groupAxes.kernel ?? kernel.groupAxes.neuron).join(', ')}]})}`,
      );
    }
    rules.push({
      match: new RegExp(`^${escapeRegExp(kernel.variable.originalName)}(_\\d+)?$`),
      regularizer: J,
    });
  }
  const unknown = Object.keys(layers).filter((name) => !kernelLayers.includes(name));
  if (unknown.length > 0) {
    throw new RangeError(
      `rulesForModel: layers names ${unknown.map((n) => `'${n}'`).join(', ')}, not a Dense or convolution layer of the model; its Dense / convolution layers are ${kernelLayers.map((n) => `'${n}'`).join(', ') || 'none'}`,
    );
  }
  return rules;
}

/** `text` with the characters a RegExp treats specially escaped. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
