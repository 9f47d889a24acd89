import { describe, expect, it } from 'vitest';
import {
  checkSettings,
  DEFAULT_SETTINGS,
  describeSettings,
  OPTIMIZERS,
  type RunSettings,
} from './settings.js';

describe('checkSettings', () => {
  it('accepts the defaults and returns a copy', () => {
    const checked = checkSettings(DEFAULT_SETTINGS);
    expect(checked).toEqual(DEFAULT_SETTINGS);
    expect(checked).not.toBe(DEFAULT_SETTINGS);
  });

  it.each([
    ['optimizer', 'adam', /optimizer must be one of 'sgd', 'linbreg'.*got "adam"/],
    ['regularizer', 'l2', /regularizer must be one of 'l1', 'neuron', got "l2"/],
    ['lambda', 0, /lambda must be a finite number > 0, got 0/],
    ['lambda', Number.NaN, /lambda must be a finite number > 0, got NaN/],
    ['learningRate', -1, /learningRate must be a finite number > 0/],
    ['initDensity', 1.5, /initDensity must be ≤ 1, got 1.5/],
    ['batchSize', 12.5, /batchSize must be an integer in \[1, 4096\], got 12.5/],
    ['seed', -1, /seed must be an integer in \[0, 4294967295\]/],
    ['backend', 'tensorflow', /backend must be one of 'auto', 'webgpu', 'webgl', 'wasm', 'cpu'/],
  ])('a bad %s is an error that names it (%s)', (key, value, message) => {
    const settings = { ...DEFAULT_SETTINGS, [key]: value } as unknown as RunSettings;
    expect(() => checkSettings(settings)).toThrow(message);
  });

  it('every optimizer has a positive default learning rate', () => {
    for (const { learningRate } of Object.values(OPTIMIZERS))
      expect(learningRate).toBeGreaterThan(0);
  });
});

describe('describeSettings', () => {
  it('names the optimizer, the regularizer with λ and τ; SGD has no regularizer', () => {
    expect(describeSettings(DEFAULT_SETTINGS)).toBe('LinBreg, ℓ1 λ = 0.01, τ = 0.1');
    expect(
      describeSettings({
        ...DEFAULT_SETTINGS,
        optimizer: 'adabreg',
        regularizer: 'neuron',
        learningRate: 0.001,
      }),
    ).toBe('AdaBreg, neurons ℓ1,2 λ = 0.01, τ = 0.001');
    expect(describeSettings({ ...DEFAULT_SETTINGS, optimizer: 'sgd' })).toBe('SGD, τ = 0.1');
  });
});
