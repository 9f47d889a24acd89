import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaBreg } from './ada-breg.js';
import { LambdaScheduler } from './lambda-scheduler.js';
import { LinBreg } from './lin-breg.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';

// A constructor called without its options object (or with a number, a string, null or an
// array in its place) must say which class needs what, never fail with a bare
// destructuring TypeError nor quietly fill in a required hyperparameter.

const notObjects: unknown[] = [undefined, null, 0.1, 'fast', [0.1]];

describe('constructors without an options object: an error naming the class and what it needs', () => {
  it.each([
    [
      'LinBreg',
      (o: unknown) => new LinBreg(o as never),
      /LinBreg: options must be an object with learningRate/,
    ],
    [
      'AdaBreg',
      (o: unknown) => new AdaBreg(o as never),
      /AdaBreg: options must be an object with learningRate/,
    ],
    [
      'LambdaScheduler',
      (o: unknown) => new LambdaScheduler(o as never),
      /LambdaScheduler: options must be an object with targetDensity/,
    ],
  ])('%s', (_name, make, message) => {
    for (const options of notObjects) expect(() => make(options)).toThrow(message);
  });

  it('the message says what was passed instead', () => {
    expect(() => new LinBreg(undefined as never)).toThrow(/got undefined/);
    expect(() => new LinBreg(0.1 as never)).toThrow(/got 0\.1/);
    expect(() => new LinBreg([0.1] as never)).toThrow(/got an array/);
  });

  it('an empty options object still names the missing learning rate', () => {
    expect(() => new LinBreg({} as never)).toThrow(
      /LinBreg: learningRate must be a finite number > 0, got undefined/,
    );
    expect(() => new AdaBreg({} as never)).toThrow(
      /AdaBreg: learningRate must be a finite number > 0, got undefined/,
    );
    expect(() => new LambdaScheduler({} as never)).toThrow(
      /LambdaScheduler: targetDensity must be a number in \(0, 1\], got undefined/,
    );
  });

  it('ReduceLROnPlateau has a default for every option: no options is fine, a non-object is not', () => {
    const optimizer = tf.train.sgd(0.1);
    const scheduler = new ReduceLROnPlateau();
    expect(scheduler.monitor).toBe('loss');
    expect(scheduler.step(1, optimizer)).toBe(false);
    expect(new ReduceLROnPlateau(undefined).monitor).toBe('loss');
    for (const options of [null, 0.5, 'val_loss', [0.5]]) {
      expect(() => new ReduceLROnPlateau(options as never)).toThrow(
        /ReduceLROnPlateau: options must be an object/,
      );
    }
  });
});
