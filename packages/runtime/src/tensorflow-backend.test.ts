import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { importAndStart } from './tensorflow-backend.js';

// Its own test file (own process): a half-loaded tfjs-node leaves its kernels registered.
describe('a broken optional tensorflow package', () => {
  it('importing @tensorflow/tfjs-node without its native addon is a reason, never a crash', async () => {
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        const why = await importAndStart(pkg);
        expect(why).toMatch(
          /^import failed: The Node\.js native addon module \(tfjs_binding\.node\) can not be found/,
        );
      }
    } finally {
      console.warn = warn;
    }
    // the second import re-registered the first one's kernels: those warnings were swallowed
    expect(warnings).toEqual([]);
    expect(tf.findBackendFactory('tensorflow')).toBeNull();
    expect(tf.getBackend()).toBe('cpu');
  });
});
