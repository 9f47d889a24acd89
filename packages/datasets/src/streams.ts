/** Stream tags that keep the random draws of different uses of one seed independent. */
export const STREAM = Object.freeze({
  split: 1,
  shuffle: 2,
  noise: 3,
  augment: 4,
  fixedNoise: 5,
});
