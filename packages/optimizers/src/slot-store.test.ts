import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { NamedTensor } from './optimizer-weights.js';
import { SlotStore } from './slot-store.js';

let id = 0;
const created: tf.Variable[] = [];
/** A model variable with a unique name `slotstore<n>/<suffix>`. */
const variable = (value: tf.Tensor, suffix = 'kernel') => {
  const v = tf.variable(value, true, `slotstore${id++}/${suffix}`);
  created.push(v);
  return v;
};
const iter = (k: number): NamedTensor => ({ name: 'iter', tensor: tf.scalar(k, 'int32') });
/** A store like AdaBreg's: `v` optional, `m1` and `m2` on every variable. */
const adaLike = () => new SlotStore('Test', ['v', 'm1', 'm2'], ['v']);
const values = (weights: readonly NamedTensor[]) =>
  Object.fromEntries(weights.map(({ name, tensor }) => [name, Array.from(tensor.dataSync())]));

afterEach(() => {
  tf.dispose(created.splice(0));
});

describe('SlotStore: state per variable', () => {
  it('creates the required slots as zeros on first use, the optional one from init, and keeps them', () => {
    const w = variable(tf.tensor1d([1, 2, 3]));
    const store = adaLike();
    const [m1, m2] = store.requiredSlots(w);
    expect(Array.from(m1!.dataSync())).toEqual([0, 0, 0]);
    expect(m2!.trainable).toBe(false);
    const v = store.optionalSlot(w, 'v', () => tf.mul(w, 2));
    expect(Array.from(v!.dataSync())).toEqual([2, 4, 6]);
    // the same tensors on the next use; init is not called again
    expect(store.requiredSlots(w)[0]).toBe(m1);
    expect(
      store.optionalSlot(w, 'v', () => {
        throw new Error('not again');
      }),
    ).toBe(v);
    expect([...store.variablesWith('v')]).toEqual([[w.name, v]]);
    // init null: the variable must not have the slot now, it is dropped
    expect(store.optionalSlot(w, 'v', null)).toBeNull();
    expect(v!.isDisposed).toBe(true);
    expect([...store.variablesWith('v')]).toEqual([]);
    store.dispose();
  });

  it('a slot of another shape than its variable is an error naming both shapes', async () => {
    const store = adaLike();
    await store.restore([
      iter(1),
      { name: 'slotstore-shape/kernel/v', tensor: tf.ones([2]) },
      { name: 'slotstore-shape/kernel/m1', tensor: tf.ones([3]) },
      { name: 'slotstore-shape/kernel/m2', tensor: tf.ones([3]) },
    ]);
    const w = tf.variable(tf.ones([3]), true, 'slotstore-shape/kernel');
    created.push(w);
    store.claim([w.name], () => true);
    expect(store.requiredSlots(w)).toHaveLength(2);
    expect(() => store.optionalSlot(w, 'v', () => tf.zerosLike(w))).toThrow(
      "Test: state 'slotstore-shape/kernel/v' has shape [2] but the variable has shape [3]; was the state restored for another model?",
    );
    // dropping the slot checks it too
    expect(() => store.optionalSlot(w, 'v', null)).toThrow(/has shape \[2\]/);
    store.dispose();
  });
});

describe('SlotStore: save and restore', () => {
  it('round trip: iter, then <variable>/<slot> in slot order; restored state is a copy', async () => {
    const a = variable(tf.tensor1d([1, 2]));
    const b = variable(tf.tensor1d([3]), 'bias');
    const store = adaLike();
    for (const [i, slot] of store.requiredSlots(a).entries()) slot.assign(tf.fill([2], i + 1));
    store.optionalSlot(a, 'v', () => tf.fill([2], 9));
    store.requiredSlots(b)[1]!.assign(tf.fill([1], 5));
    const saved = store.save(iter(7));
    expect(saved.map((w) => w.name)).toEqual([
      'iter',
      `${a.name}/v`,
      `${a.name}/m1`,
      `${a.name}/m2`,
      `${b.name}/m1`,
      `${b.name}/m2`,
    ]);

    const copy = adaLike();
    expect(await copy.restore(saved)).toBe(7);
    copy.claim([a.name, b.name], () => true);
    const restored = copy.save(iter(7));
    expect(values(restored)).toEqual(values(saved));
    // the copy's tensors are its own: freeing the original leaves them intact
    store.dispose();
    expect(saved.slice(1).every((w) => w.tensor.isDisposed)).toBe(true);
    expect(Array.from(copy.requiredSlots(b)[1]!.dataSync())).toEqual([5]);
    copy.dispose();
    tf.dispose([saved[0]!.tensor, restored[0]!.tensor]);
  });

  it('refuses what it did not write, before changing its state', async () => {
    const store = adaLike();
    const w = variable(tf.ones([2]));
    const m1 = store.requiredSlots(w)[0]!;
    const ones = tf.ones([2]);
    const bad: Array<[NamedTensor[], string | RegExp]> = [
      [
        [],
        "Test.setWeights: the first weight must be 'iter' (as getWeights writes), got 'undefined'",
      ],
      [[{ name: 'x/v', tensor: ones }], /the first weight must be 'iter'.*got 'x\/v'/],
      [
        [iter(1), { name: 'x/m', tensor: ones }],
        "Test.setWeights: 'x/m' is not '<variable>/<slot>' with slot one of v, m1, m2",
      ],
      [[iter(1), { name: 'v', tensor: ones }], /'v' is not '<variable>\/<slot>'/],
      [
        [iter(1), { name: 'x/v', tensor: ones }, { name: 'x/m1', tensor: ones }],
        "Test.setWeights: 'x' lacks 'x/m2'",
      ],
    ];
    for (const [weights, message] of bad)
      await expect(store.restore(weights)).rejects.toThrow(message);
    expect(m1.isDisposed).toBe(false);
    expect(store.requiredSlots(w)[0]).toBe(m1);
    store.dispose();
    ones.dispose();
  });

  it('a store without slots accepts only iter', async () => {
    const store = new SlotStore('Plain');
    expect(store.save(iter(3)).map((w) => w.name)).toEqual(['iter']);
    expect(await store.restore([iter(3)])).toBe(3);
    const t = tf.ones([1]);
    await expect(store.restore([iter(1), { name: 'a/v', tensor: t }])).rejects.toThrow(
      "Plain.setWeights: Plain keeps no per-variable state, got 'a/v'; was it saved by another optimizer?",
    );
    await expect(
      store.restore([iter(1), { name: 'a/v', tensor: t }, { name: 'b/v', tensor: t }]),
    ).rejects.toThrow(/got 'a\/v' and 1 more;/);
    t.dispose();
  });
});

describe('SlotStore: claiming restored state', () => {
  const saved = (names: string[]): NamedTensor[] => [
    iter(2),
    ...names.flatMap((name) => [
      { name: `${name}/v`, tensor: tf.fill([2], 4) },
      { name: `${name}/m1`, tensor: tf.fill([2], 5) },
      { name: `${name}/m2`, tensor: tf.fill([2], 6) },
    ]),
  ];

  it("by exact name, else by the name without tfjs's _<n> suffix", async () => {
    const store = adaLike();
    await store.restore(saved(['claim-a/kernel', 'claim-b/kernel_1']));
    // 'claim-a/kernel_1' takes 'claim-a/kernel', 'claim-b/kernel' takes 'claim-b/kernel_1'
    store.claim(['claim-a/kernel_1', 'claim-b/kernel'], () => true);
    expect(store.save(iter(2)).map((w) => w.name)).toEqual([
      'iter',
      'claim-a/kernel_1/v',
      'claim-a/kernel_1/m1',
      'claim-a/kernel_1/m2',
      'claim-b/kernel/v',
      'claim-b/kernel/m1',
      'claim-b/kernel/m2',
    ]);
    store.dispose();
  });

  it('a variable that needs state and finds none while restored state is unclaimed is an error', async () => {
    const store = adaLike();
    await store.restore(saved(['old-a/kernel', 'old-b/kernel']));
    // a variable that needs no state is no orphan
    store.claim(['new/bias'], () => false);
    expect(() => store.claim(['new/kernel', 'new/bias'], (n) => n.endsWith('kernel'))).toThrow(
      "Test: no restored state for 'new/kernel', while the state restored for 'old-a/kernel', 'old-b/kernel' is unclaimed: the checkpoint was written for variables with other names. Map them with renameOptimizerWeights(weights, {oldName: newName}) before setWeights.",
    );
    // two candidates for one suffix-less name: ambiguous, not guessed
    const twice = adaLike();
    await twice.restore(saved(['dup/kernel_1', 'dup/kernel_2']));
    expect(() => twice.claim(['dup/kernel'], () => true)).toThrow(
      /no restored state for 'dup\/kernel'/,
    );
    // once everything is claimed, unknown names are fresh variables
    const done = adaLike();
    await done.restore(saved(['done/kernel']));
    done.claim(['done/kernel'], () => true);
    expect(() => done.claim(['other/kernel'], () => true)).not.toThrow();
    for (const s of [store, twice, done]) s.dispose();
  });
});

describe('SlotStore: memory', () => {
  it('owns exactly its slots: restore copies, dispose frees them all', async () => {
    const w = variable(tf.ones([4]));
    const u = variable(tf.ones([2, 3]), 'bias');
    const start = tf.memory().numTensors;
    const store = adaLike();
    tf.tidy(() => {
      store.requiredSlots(w);
      store.optionalSlot(w, 'v', () => tf.add(w, 1));
      store.requiredSlots(u);
    });
    expect(tf.memory().numTensors).toBe(start + 5);
    // steps that reuse the slots allocate nothing that stays
    tf.tidy(() => {
      for (let k = 0; k < 5; k++) {
        const [m1] = store.requiredSlots(w);
        m1!.assign(tf.add(m1!, 1));
        store.optionalSlot(w, 'v', () => tf.zerosLike(w));
      }
    });
    expect(tf.memory().numTensors).toBe(start + 5);
    const checkpoint = store.save(iter(1));
    const copy = adaLike();
    await copy.restore(checkpoint);
    // the copy holds its own 5 (shared buffers or not, each is a tensor to free)
    expect(tf.memory().numTensors).toBe(start + 1 + 5 + 5);
    store.dispose();
    checkpoint[0]!.tensor.dispose();
    expect(tf.memory().numTensors).toBe(start + 5);
    // a restore replaces (and frees) what was there
    const zero = iter(0);
    await copy.restore([zero]);
    zero.tensor.dispose();
    expect(tf.memory().numTensors).toBe(start);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
