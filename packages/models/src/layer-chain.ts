import type { LayersModel, layers } from '@tensorflow/tfjs-layers';

/** A tfjs layer. */
export type Layer = layers.Layer;

/**
 * The layers of a model that is a single chain (a `tf.Sequential`, or a functional model
 * in which every layer feeds only the next one), input layer excluded. Anything else — a
 * branch, a merge, a nested model — is an error naming what was found.
 */
export function layerChain(model: LayersModel, context: string): Layer[] {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`${context}: model must be a tf.LayersModel, got ${String(model)}`);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RangeError(
      `${context}: the model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const chain = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const [i, layer] of chain.entries()) {
    if ((layer as { layers?: unknown }).layers !== undefined) {
      throw new RangeError(
        `${context}: layer '${layer.name}' is a nested model (${layer.getClassName()}); flatten it into one Sequential first`,
      );
    }
    if (i === 0 || model.getClassName() === 'Sequential') continue;
    const nodes = layer.inboundNodes.filter((n) =>
      n.inboundLayers.every((l) => model.layers.includes(l)),
    );
    const from = nodes.flatMap((n) => n.inboundLayers);
    if (nodes.length !== 1 || from.length !== 1 || from[0] !== chain[i - 1]) {
      throw new RangeError(
        `${context}: the model is not a single chain of layers: '${layer.name}' (${layer.getClassName()}) takes its input from [${from.map((l) => `'${l.name}'`).join(', ')}], not only from '${chain[i - 1]!.name}'. Only Sequential-like models can be compacted (not ResNets)`,
      );
    }
  }
  const outputLayer = model.outputs[0]!.sourceLayer;
  if (chain.length > 0 && outputLayer !== chain[chain.length - 1]) {
    throw new RangeError(`${context}: the model's output is not its last layer`);
  }
  return chain;
}

/** The layer's config as a plain record. */
export function configOf(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** The (first) input shape of a connected layer, batch axis included. */
export function inputShapeOf(layer: Layer): Array<number | null> {
  const node = layer.inboundNodes[0];
  if (!node) throw new Error(`layer '${layer.name}' is not connected`);
  const shapes = node.inputShapes as Array<number | null> | Array<Array<number | null>>;
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as Array<number | null>;
}
