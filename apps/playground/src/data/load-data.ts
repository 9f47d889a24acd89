import { decodeMnistAsset, MNIST_ASSET_PATH, type MnistAsset } from './asset-format.js';

/**
 * Fetches and decodes the page's MNIST file from the page's own origin. Throws an error whose
 * message the page shows as it is: the URL and what went wrong (HTTP status, network, format).
 */
export async function loadMnistAsset(baseUrl: string): Promise<MnistAsset> {
  const url = new URL(MNIST_ASSET_PATH, baseUrl).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not fetch ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new Error(
      `could not load ${url}: HTTP ${response.status} ${response.statusText} (was the page built with its data? run pnpm playground or pnpm --filter @bregman/playground build)`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    return decodeMnistAsset(bytes);
  } catch (error) {
    throw new Error(`${url}: ${(error as Error).message}`);
  }
}
