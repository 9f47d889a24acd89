import type { Regularizer, RegularizerRule } from '@bregman/core-prox';

/** Which regularizer to put on which kind of layer (see {@link rulesForModel}). */
export interface LayerRegularizers {
  /** For the kernels of `Dense` layers. */
  dense?: Regularizer;
  /** For the kernels of `Conv2D` layers. */
  conv?: Regularizer;
}

/** The part of a tfjs layer this helper reads. */
interface LayerLike {
  getClassName(): string;
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
 * @param model - a `tf.LayersModel` (or anything with tfjs layers).
 */
export function rulesForModel(
  model: { layers: readonly unknown[] },
  { dense, conv }: LayerRegularizers,
): RegularizerRule[] {
  const rules: RegularizerRule[] = [];
  const visit = (layer: LayerLike) => {
    if (layer.layers) {
      for (const inner of layer.layers) visit(inner);
      return;
    }
    const kind = layer.getClassName();
    const J = kind === 'Dense' ? dense : kind === 'Conv2D' ? conv : undefined;
    if (!J) return;
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
  return rules;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
