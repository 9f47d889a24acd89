import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convNet } from './conv-net.js';
import { modelCost } from './cost.js';
import { denoiser } from './denoiser.js';
import { mlp } from './mlp.js';
import { resnet18 } from './resnet18.js';

const trainable = (model: tf.LayersModel) =>
  model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!, 0);

describe('parameter counts of the paper nets', () => {
  it('MLP 784-200-80-10 (Figs. 2–3): 784·200 + 200 + 200·80 + 80 + 80·10 + 10 = 173,890', () => {
    const model = mlp({ sizes: [784, 200, 80, 10] });
    expect(model.countParams()).toBe(173_890);
    expect(model.layers.map((l) => l.name)).toEqual([
      'standardize',
      'dense_1',
      'dense_2',
      'dense_3',
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('ConvNet (Tables 1–2): 1,664 + 102,464 + 131,200 + 1,290 = 236,618', () => {
    // conv1 5·5·1·64 + 64; conv2 5·5·64·64 + 64; 28 →conv 24 →pool 12 →conv 8 →pool 4,
    // flatten 4·4·64 = 1024; dense 1024·128 + 128; dense 128·10 + 10
    const model = convNet();
    expect(model.countParams()).toBe(236_618);
    // FLOPs: 2·(25·1·64·24·24 + 25·64·64·8·8 + 1024·128 + 128·10)
    expect(modelCost(model)).toEqual({ params: 236_618, flops: 15_215_104 });
    expect(model.getLayer('flatten').outputShape).toEqual([null, 1024]);
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Standardize',
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense',
    ]);
    expect(model.getLayer('conv_1').getConfig().activation).toBe('relu');
    expect(model.getLayer('conv_2').getConfig().activation).toBe('relu');
    model.dispose();
  });

  it("ConvNet: ReLU before the pooling is the paper's conv → maxpool → ReLU", () => {
    const model = convNet({ inputShape: [16, 16, 2], filters: 4, hidden: 8 });
    const paperOrder = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 2], filters: 4, kernelSize: 5 }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.reLU(),
        tf.layers.conv2d({ filters: 4, kernelSize: 5 }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.reLU(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    paperOrder.setWeights(model.getWeights());
    const x = tf.randomNormal([3, 16, 16, 2], 0, 1, 'float32', 7);
    const ours = model.predict(x) as tf.Tensor;
    const theirs = paperOrder.predict(x) as tf.Tensor;
    expect(ours.arraySync()).toEqual(theirs.arraySync());
    tf.dispose([x, ours, theirs]);
    model.dispose();
    paperOrder.dispose();
  });

  it('ResNet-18 for CIFAR (Table 3): 11,173,962 trainable + 9,600 BatchNorm statistics', () => {
    // stem 3·3·3·64 = 1,728 + BN 128                                       →     1,856
    // stage1: 2 × (2 × 3·3·64·64 + 2 × 128)                               →   147,968
    // stage2: 3·3·64·128 + 3·3·128·128 + 1·1·64·128 + 3 BN × 256 = 230,144
    //         + 2 × 3·3·128·128 + 2 × 256 = 295,424                       →   525,568
    // stage3: 294,912 + 589,824 + 32,768 + 1,536 = 919,040 + 1,180,672    → 2,099,712
    // stage4: 1,179,648 + 2,359,296 + 131,072 + 3,072 = 3,673,088
    //         + 4,720,640                                                  → 8,393,728
    // fc 512·10 + 10                                                       →     5,130
    // total 11,173,962; running mean/var of 4,800 BatchNorm channels: 9,600
    const model = resnet18();
    expect(trainable(model)).toBe(11_173_962);
    expect(model.countParams()).toBe(11_173_962 + 9_600);
    // multiply–adds: stem 32²·27·64 = 1,769,472; stage 1: 4 × 32²·9·64² = 150,994,944;
    // stages 2–4 alike: 134,217,728 each (3×3 convs + 1×1 shortcut); fc 5,120 → 555,422,720
    expect(modelCost(model).flops).toBe(2 * 555_422_720);
    console.log(
      `ResNet-18 (CIFAR): ${trainable(model)} trainable parameters, ${model.countParams()} in all`,
    );
    expect(model.layers.filter((l) => l.getClassName() === 'Conv2D').length).toBe(20);
    expect(model.getLayer('stage2_block1_conv1').outputShape).toEqual([null, 16, 16, 128]);
    expect(model.getLayer('stage4_block2_relu2').outputShape).toEqual([null, 4, 4, 512]);
    const y = tf.tidy(
      () =>
        (
          model.predict(tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 1)) as tf.Tensor
        ).arraySync() as number[][],
    );
    expect(y[0]!.length).toBe(10);
    expect(y[0]!.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('denoiser (§4.6): six Dense layers 784 → 784', () => {
    const model = denoiser();
    expect(model.countParams()).toBe(6 * (784 * 784 + 784));
    expect(model.layers.filter((l) => l.getClassName() === 'Dense').length).toBe(6);
    expect(model.outputs[0]!.shape).toEqual([null, 784]);
    model.dispose();
  });
});
