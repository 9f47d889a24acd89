import { describe, expect, it } from 'vitest';
import { decodeMnistAsset, encodeMnistAsset, type MnistAsset } from './asset-format.js';

function asset(nTrain: number, nValidation: number): MnistAsset {
  const pixels = 4 * 3;
  const bytes = (n: number, seed: number) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256);
  return {
    height: 4,
    width: 3,
    train: { images: bytes(nTrain * pixels, 1), labels: bytes(nTrain, 0).map((v) => v % 10) },
    validation: {
      images: bytes(nValidation * pixels, 5),
      labels: bytes(nValidation, 3).map((v) => v % 10),
    },
  };
}

describe('the MNIST asset format', () => {
  it('decodes what it encodes', () => {
    const original = asset(5, 2);
    const decoded = decodeMnistAsset(encodeMnistAsset(original));
    expect(decoded).toEqual(original);
  });

  it('encodes 24 header bytes, then one byte per pixel and per label', () => {
    expect(encodeMnistAsset(asset(5, 2)).length).toBe(24 + 7 * (12 + 1));
  });

  it('refuses what is not the asset: another file, another version, cut short, bad labels', () => {
    const bytes = encodeMnistAsset(asset(5, 2));
    const html = new TextEncoder().encode('<!doctype html><html></html>');
    expect(() => decodeMnistAsset(html)).toThrow(/not the playground's MNIST file .*'BRMN'/);
    const version = bytes.slice();
    version[4] = 9;
    expect(() => decodeMnistAsset(version)).toThrow(/version 9, this page reads 1/);
    expect(() => decodeMnistAsset(bytes.subarray(0, bytes.length - 1))).toThrow(
      /has 114 bytes, its header \(5 \+ 2 images of 4 × 3\) says 115/,
    );
    const label = bytes.slice();
    label[24 + 5 * 12] = 10; // the first training label
    expect(() => decodeMnistAsset(label)).toThrow(/train label 10 at 0 is not 0–9/);
  });

  it('refuses to encode images and labels that do not agree, naming the part', () => {
    const bad = asset(5, 2);
    bad.validation.labels = new Uint8Array(3);
    expect(() => encodeMnistAsset(bad)).toThrow(
      /validation.images has 24 bytes, expected 3 labels × 12 pixels/,
    );
    expect(() => encodeMnistAsset({ ...asset(1, 1), height: 0 })).toThrow(
      /height must be an integer/,
    );
  });
});
