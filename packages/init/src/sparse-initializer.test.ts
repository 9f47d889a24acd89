import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SparseInitializer, sparseInit, type ValueDistribution } from './sparse-initializer.js';
import { densityOf, moments, threeSigma } from './stats.test-helper.js';

describe('density: the fraction of non-zero weights is Bernoulli(r)', () => {
  it.each([0.01, 0.1, 0.5])('entry groups, r = %s: pooled over 40 draws within 3σ of r', (r) => {
    let nonZero = 0;
    let size = 0;
    for (let seed = 0; seed < 40; seed++) {
      const w = new SparseInitializer({ density: r, seed }).apply([100, 50]);
      nonZero += densityOf(w.dataSync()) * w.size;
      size += w.size;
      w.dispose();
    }
    expect(Math.abs(nonZero / size - r)).toBeLessThanOrEqual(threeSigma(r, size));
  });

  it('every single draw of a large kernel is within 3σ of r', () => {
    for (let seed = 0; seed < 10; seed++) {
      const w = new SparseInitializer({ density: 0.05, seed }).apply([300, 200]);
      expect(Math.abs(densityOf(w.dataSync()) - 0.05)).toBeLessThanOrEqual(
        threeSigma(0.05, w.size),
      );
      w.dispose();
    }
  });

  it('neuron and kernel groups: the fraction of kept groups is within 3σ of r', () => {
    let kept = 0;
    let groups = 0;
    for (let seed = 0; seed < 30; seed++) {
      const w = new SparseInitializer({ density: 0.2, groups: 'neuron', seed }).apply([20, 100]);
      kept += tf.tidy(() => tf.sum(tf.notEqual(tf.max(tf.abs(w), 0), 0)).dataSync()[0]!);
      groups += 100;
      const k = new SparseInitializer({ density: 0.2, groups: 'kernel', seed }).apply([
        3, 3, 10, 10,
      ]);
      kept += tf.tidy(() => tf.sum(tf.notEqual(tf.max(tf.abs(k), [0, 1]), 0)).dataSync()[0]!);
      groups += 100;
      tf.dispose([w, k]);
    }
    expect(Math.abs(kept / groups - 0.2)).toBeLessThanOrEqual(threeSigma(0.2, groups));
  });

  it('r = 1 is a dense initialization', () => {
    const w = new SparseInitializer({ density: 1, seed: 3 }).apply([50, 40]);
    expect(densityOf(w.dataSync())).toBe(1);
    w.dispose();
  });
});

describe('variance: Var W = gain²·α, Var of the non-zero weights = gain²·α/r (eqs. 4.3, 4.5)', () => {
  // W² over n = 10⁶ entries: the relative standard error of E[W²] is √((3/r − 1)/n) ≈ 0.5 %
  // for normal values at r = 0.1, and of the non-zero ones' variance √(2/(nr)) ≈ 0.45 %.
  const shape = [1000, 1000];
  it.each<[ValueDistribution]>([['normal'], ['truncatedNormal'], ['uniform']])(
    '%s values, He fan-in α = 2/fan_in',
    (distribution) => {
      const r = 0.1;
      const alpha = 2 / 1000;
      const w = new SparseInitializer({ density: r, distribution, seed: 7 }).apply(shape);
      const values = w.dataSync();
      const all = moments(values);
      const kept = moments(values, true);
      expect(Math.abs(all.secondMoment / alpha - 1)).toBeLessThan(0.03);
      expect(Math.abs(kept.variance / (alpha / r) - 1)).toBeLessThan(0.03);
      expect(Math.abs(kept.mean)).toBeLessThan(0.03 * Math.sqrt(alpha / r));
      w.dispose();
    },
  );

  it.each<[string, ConstructorParameters<typeof SparseInitializer>[0], number[], number]>([
    ['glorot on [600, 400]', { density: 0.2, variance: 'glorot' }, [600, 400], 2 / 1000],
    ['lecun on a conv kernel', { density: 0.2, variance: 'lecun' }, [5, 5, 64, 64], 1 / 1600],
    ['a fixed α', { density: 0.3, variance: 0.04 }, [500, 500], 0.04],
    ['the paper MLP: He × 0.7', { density: 0.01, gain: 0.7 }, [784, 1000], (0.49 * 2) / 784],
    ['kernel groups', { density: 0.1, groups: 'kernel' }, [3, 3, 300, 300], 2 / 2700],
    [
      'neuron groups',
      { density: 0.1, groups: 'neuron', variance: 'glorot' },
      [2000, 1000],
      2 / 3000,
    ],
  ])('%s', (_name, options, s, alpha) => {
    const w = new SparseInitializer({ ...options, seed: 11 }).apply(s);
    const values = w.dataSync();
    const kept = moments(values, true);
    const r = kept.n / values.length;
    // the kept values' variance is exact per draw; the masked variance is α·(r̂/r)
    expect(Math.abs(kept.variance / (alpha / options.density) - 1)).toBeLessThan(0.04);
    expect(
      Math.abs(moments(values).secondMoment / ((alpha * r) / options.density) - 1),
    ).toBeLessThan(0.04);
    w.dispose();
  });

  it('stddev() is gain·√(α/r)', () => {
    expect(new SparseInitializer({ density: 0.01 }).stddev([784, 200])).toBeCloseTo(
      Math.sqrt(2 / 784 / 0.01),
      12,
    );
    expect(new SparseInitializer({ density: 0.25, gain: 0.5 }).stddev([3, 3, 8, 16])).toBeCloseTo(
      0.5 * Math.sqrt(2 / 72 / 0.25),
      12,
    );
  });
});

describe('group masks zero whole groups and nothing else', () => {
  it("'neuron': each column of a Dense kernel is all zero or all non-zero", () => {
    const w = new SparseInitializer({ density: 0.3, groups: 'neuron', seed: 2 }).apply([64, 200]);
    const rows = w.arraySync() as number[][];
    let kept = 0;
    for (let j = 0; j < 200; j++) {
      const column = rows.map((row) => row[j]!);
      const nz = column.filter((v) => v !== 0).length;
      expect([0, 64]).toContain(nz);
      if (nz) kept++;
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(200);
    w.dispose();
  });

  it("'kernel': each [kh, kw] slice of a conv kernel is all zero or all non-zero", () => {
    const w = new SparseInitializer({ density: 0.3, groups: 'kernel', seed: 2 }).apply([
      3, 3, 16, 32,
    ]);
    const slices = tf.tidy(() => tf.notEqual(w, 0).sum([0, 1]).dataSync());
    const counts = new Set(slices);
    expect([...counts].sort()).toEqual([0, 9]);
    w.dispose();
  });

  it("'neuron' on a conv kernel keeps or drops whole filters (output channels)", () => {
    const w = new SparseInitializer({ density: 0.5, groups: 'neuron', seed: 4 }).apply([
      3, 3, 4, 40,
    ]);
    const perFilter = tf.tidy(() => tf.notEqual(w, 0).sum([0, 1, 2]).dataSync());
    expect(new Set(perFilter)).toEqual(new Set([0, 36]));
    w.dispose();
  });
});

describe('seeds', () => {
  it('same seed → same weights; other seed → other mask and other values', () => {
    const draw = (seed: number) =>
      tf.tidy(() =>
        Array.from(new SparseInitializer({ density: 0.2, seed }).apply([30, 30]).dataSync()),
      );
    const a = draw(5);
    const b = draw(5);
    const c = draw(6);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const maskA = a.map((v) => v !== 0);
    const maskC = c.map((v) => v !== 0);
    expect(maskC).not.toEqual(maskA);
  });

  it('no seed → a fresh draw each time', () => {
    const init = new SparseInitializer({ density: 0.5 });
    const [a, b] = [init.apply([20, 20]), init.apply([20, 20])];
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });
});

describe('a tfjs-layers initializer', () => {
  it('works as kernelInitializer of tf.layers.dense and conv2d', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 16,
          kernelSize: 3,
          kernelInitializer: sparseInit({ density: 0.25, groups: 'kernel', seed: 1 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 10,
          kernelInitializer: sparseInit({ density: 0.1, groups: 'neuron', seed: 2 }),
        }),
      ],
    });
    const [convKernel] = model.layers[0]!.getWeights();
    const [denseKernel] = model.layers[2]!.getWeights();
    const expectedConv = new SparseInitializer({ density: 0.25, groups: 'kernel', seed: 1 }).apply([
      3, 3, 3, 16,
    ]);
    expect(Array.from(convKernel!.dataSync())).toEqual(Array.from(expectedConv.dataSync()));
    expect(densityOf(denseKernel!.dataSync())).toBeLessThan(0.5);
    expectedConv.dispose();
    model.dispose();
  });

  it('round-trips through model.save / tf.loadLayersModel with its config', async () => {
    const init = new SparseInitializer({
      density: 0.05,
      groups: 'neuron',
      variance: 'glorot',
      gain: 0.7,
      distribution: 'uniform',
      seed: 9,
    });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [12], units: 6, kernelInitializer: init })],
    });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const json = JSON.stringify(artifacts!.modelTopology);
    expect(json).toContain('"class_name":"SparseInitializer"');
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ ...artifacts!, modelTopology: JSON.parse(json) }),
    );
    const config = loaded.layers[0]!.getConfig().kernelInitializer as {
      className: string;
      config: Record<string, unknown>;
    };
    expect(config.className).toBe('SparseInitializer');
    expect(config.config).toEqual(init.getConfig());
    expect(Array.from(loaded.layers[0]!.getWeights()[0]!.dataSync())).toEqual(
      Array.from(model.layers[0]!.getWeights()[0]!.dataSync()),
    );
    // the registry rebuilds an equal initializer: same config, same draw
    const entry = tf.serialization.SerializationMap.getMap().classNameMap.SparseInitializer!;
    const rebuilt = entry[1](entry[0], JSON.parse(JSON.stringify(init.getConfig())));
    expect(rebuilt).toBeInstanceOf(SparseInitializer);
    const [x, y] = [init.apply([12, 6]), (rebuilt as SparseInitializer).apply([12, 6])];
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });

  it('apply leaves no tensor but the one it returns', () => {
    const before = tf.memory().numTensors;
    const w = new SparseInitializer({ density: 0.3, groups: 'kernel', seed: 1 }).apply([
      3, 3, 2, 2,
    ]);
    expect(tf.memory().numTensors).toBe(before + 1);
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bad arguments are errors naming the argument and the allowed values', () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      'density 0',
      () => new SparseInitializer({ density: 0 }),
      /density must be a number in \(0, 1\], got 0/,
    ],
    [
      'density 1.5',
      () => new SparseInitializer({ density: 1.5 }),
      /density must be a number in \(0, 1\], got 1.5/,
    ],
    ['density NaN', () => new SparseInitializer({ density: Number.NaN }), /density .* got NaN/],
    ['density missing', () => new SparseInitializer({} as never), /density .* got undefined/],
    [
      'groups',
      () => new SparseInitializer({ density: 0.1, groups: 'rows' as never }),
      /groups must be one of 'entry', 'neuron', 'kernel', got "rows"/,
    ],
    [
      'variance name',
      () => new SparseInitializer({ density: 0.1, variance: 'xavier' as never }),
      /variance \(or a finite number > 0\) must be one of 'he', 'glorot', 'lecun'/,
    ],
    [
      'variance number',
      () => new SparseInitializer({ density: 0.1, variance: -1 }),
      /variance must be a finite number > 0, got -1/,
    ],
    [
      'gain',
      () => new SparseInitializer({ density: 0.1, gain: 0 }),
      /gain must be a finite number > 0, got 0/,
    ],
    [
      'distribution',
      () => new SparseInitializer({ density: 0.1, distribution: 'cauchy' as never }),
      /distribution must be one of 'normal', 'truncatedNormal', 'uniform'/,
    ],
    ['seed', () => new SparseInitializer({ density: 0.1, seed: 1.5 }), /seed must be an integer/],
    [
      'kernel groups on a Dense kernel',
      () => new SparseInitializer({ density: 0.1, groups: 'kernel' }).apply([4, 4]),
      /'kernel' needs a convolution kernel .*got shape \[4, 4\]/,
    ],
    [
      'neuron groups on a vector',
      () => new SparseInitializer({ density: 0.1, groups: 'neuron' }).apply([4]),
      /'neuron' needs a kernel of rank ≥ 2/,
    ],
    [
      'dtype',
      () => new SparseInitializer({ density: 0.1 }).apply([4, 4], 'int32'),
      /dtype must be 'float32', got 'int32'/,
    ],
  ])('%s', (_name, make, message) => {
    const before = tf.memory().numTensors;
    expect(make).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
});
