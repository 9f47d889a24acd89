import { describe, expect, it } from 'vitest';
import { parseFashionMnistJson } from './fashion-mnist-json.js';

const image = (v: number) => `[${new Array(784).fill(v).join(',')}]`;
const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseFashionMnistJson', () => {
  it('reads images in file order and skips empty rows', () => {
    const text = `{"data":[${image(1)},[],${image(255)},\n [ ] ,${image(0)}]}\n`;
    const { images, count, emptyRows } = parseFashionMnistJson(bytes(text), 'x.json');
    expect([count, emptyRows, images.length]).toEqual([3, 2, 3 * 784]);
    expect([images[0], images[783], images[784], images[2 * 784 - 1], images[2 * 784]]).toEqual([
      1, 1, 255, 255, 0,
    ]);
  });

  it('accepts whitespace between tokens', () => {
    const spaced = `{ "data" : [ [ ${new Array(784).fill('7').join(' , ')} ] ] }`;
    expect(parseFashionMnistJson(bytes(spaced), 's.json').count).toBe(1);
  });

  it('rejects a row that is not 28 × 28 values, naming the file and the image', () => {
    const text = `{"data":[${image(1)},[1,2,3]]}`;
    expect(() => parseFashionMnistJson(bytes(text), 'short.json')).toThrow(
      'short.json: image 1 has 3 pixel values, expected 784 (28 × 28)',
    );
  });

  it('rejects values that are not bytes', () => {
    expect(() => parseFashionMnistJson(bytes(`{"data":[[256]]}`), 'v.json')).toThrow(
      /v\.json: .*pixel value 256 outside 0–255 at byte 10/,
    );
    expect(() => parseFashionMnistJson(bytes(`{"data":[[-1]]}`), 'n.json')).toThrow(
      /expected an integer pixel value at byte 10/,
    );
    expect(() => parseFashionMnistJson(bytes(`{"data":[[0.5]]}`), 'f.json')).toThrow(
      /expected ',' or '\]' after a pixel value at byte 11/,
    );
  });

  it('rejects truncated files and other layouts', () => {
    const full = `{"data":[${image(3)}]}`;
    expect(() => parseFashionMnistJson(bytes(full.slice(0, 1001)), 't2.json')).toThrow(
      /^t2\.json: not the fashion-mnist JSON layout: expected ',' or '\]' after a pixel value at byte 1001$/,
    );
    expect(() => parseFashionMnistJson(bytes(full.slice(0, 1000)), 't.json')).toThrow(
      /^t\.json: not the fashion-mnist JSON layout: expected .* at byte 1000$/,
    );
    expect(() => parseFashionMnistJson(bytes(`${full}x`), 'tail.json')).toThrow(
      /unexpected content after the closing brace/,
    );
    expect(() => parseFashionMnistJson(bytes(`{"images":[]}`), 'k.json')).toThrow(
      /expected the key "data"/,
    );
  });
});
