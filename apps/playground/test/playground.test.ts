// End to end: the built page in headless Chromium trains LinBreg (run A) and LinBreg with
// momentum (run B) side by side for a few epochs. Speed is printed, never asserted: the
// timeouts only guard against a hang on a busy machine.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ZERO_COLOR } from '../src/ui/colors.js';
import { findChromium } from './chromium.js';
import { APP_DIR, buildAndServe, type ServedApp } from './serve-app.js';

/** Epochs run A trains before the checks. */
const EPOCHS = 3;

/** Validation accuracy run A must reach by then (it reaches about 0.89 after 3 epochs). */
const MIN_ACCURACY = 0.85;

/** Hang guard for the waits in the page (the test's own limit is vitest's 10 minutes). */
const WAIT_MS = 6 * 60_000;

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn(
    'skipped the playground end-to-end test: no Chromium found (apt-get install chromium)',
  );
}

const artifacts = join(APP_DIR, 'test-artifacts');
let outDir: string;
let app: ServedApp | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!chromiumPath) return;
  outDir = mkdtempSync(join(tmpdir(), 'playground-dist-'));
  app = await buildAndServe(outDir);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** A number the page shows: the `data-value` of `[data-stat=key]` in run `run`. */
async function stat(page: Page, run: string, key: string): Promise<number> {
  const value = await page
    .locator(`.run[data-run="${run}"] [data-stat="${key}"]`)
    .getAttribute('data-value');
  return Number(value);
}

/** Waits until run `run` has trained `epochs` epochs (or failed: then throws its message). */
async function waitForEpochs(page: Page, run: string, epochs: number): Promise<void> {
  await page.waitForFunction(
    ([id, n]) => {
      const panel = document.querySelector<HTMLElement>(`.run[data-run="${id}"]`);
      if (panel?.dataset.state === 'failed') return true;
      const epoch = panel?.querySelector<HTMLElement>('[data-stat="epoch"]')?.dataset.value;
      return Number(epoch) >= Number(n);
    },
    [run, epochs],
    { timeout: WAIT_MS, polling: 250 },
  );
  const panel = page.locator(`.run[data-run="${run}"]`);
  if ((await panel.getAttribute('data-state')) === 'failed') {
    throw new Error(`run ${run} failed: ${await panel.locator('.status').textContent()}`);
  }
}

it.skipIf(!chromiumPath)(
  'the page trains LinBreg in a worker: density grows, accuracy rises, weights are drawn, compact() downloads',
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));

    await page.goto(app!.url);
    await page.waitForSelector('#data-status[data-state="ready"]', { timeout: WAIT_MS });
    for (const run of ['a', 'b']) {
      await page.waitForSelector(
        `.run[data-run="${run}"]:is([data-state="ready"], [data-state="failed"])`,
        {
          timeout: WAIT_MS,
        },
      );
    }
    const backend = await page.locator('.run[data-run="a"] [data-stat="backend"]').textContent();
    const initialDensity = await stat(page, 'a', 'initialDensity');
    expect(initialDensity).toBeGreaterThan(0);
    expect(initialDensity).toBeLessThan(0.02); // the sparse init: about 1 %

    await page.locator('.run[data-run="a"] button.start').click();
    await page.locator('.run[data-run="b"] button.start').click();
    await waitForEpochs(page, 'a', 1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'playground-training.png'), fullPage: true });
    const docsScreenshot = process.env.PLAYGROUND_SCREENSHOT; // pnpm screenshot: the README's
    if (docsScreenshot) {
      await page.screenshot({ path: resolve(APP_DIR, docsScreenshot), fullPage: true });
    }
    await waitForEpochs(page, 'a', EPOCHS);
    await waitForEpochs(page, 'b', 1);

    const density = await stat(page, 'a', 'density');
    const validationAccuracy = await stat(page, 'a', 'validationAccuracy');
    const samplesPerSecond = await stat(page, 'a', 'samplesPerSecondOverall');
    const wallSamplesPerSecond = await stat(page, 'a', 'samplesPerSecondWall');
    console.log(
      `playground in headless Chromium, ${backend}: run A (LinBreg, batch 128) ` +
        `${Math.round(samplesPerSecond)} samples/s in its training steps, ` +
        `${Math.round(wallSamplesPerSecond)} samples/s of wall time, while run B trained too; ` +
        `after ${EPOCHS} epochs density ${initialDensity.toFixed(4)} -> ${density.toFixed(4)}, ` +
        `validation accuracy ${validationAccuracy.toFixed(4)}`,
    );
    expect(density).toBeGreaterThan(initialDensity);
    expect(validationAccuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(await stat(page, 'b', 'density')).toBeGreaterThan(
      await stat(page, 'b', 'initialDensity'),
    );

    // the first weight matrix: coloured (non-zero) pixels, but far from all of them
    const [coloured, total] = await page.evaluate((zero) => {
      const canvas = document.querySelector<HTMLCanvasElement>(
        '.run[data-run="a"] canvas.kernel[data-kernel="0"]',
      )!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] !== zero[0] || pixels[i + 1] !== zero[1] || pixels[i + 2] !== zero[2])
          count++;
      }
      return [count, pixels.length / 4];
    }, ZERO_COLOR);
    expect(total).toBe(784 * 200);
    expect(coloured).toBeGreaterThan(0);
    expect(coloured).toBeLessThan(total);
    const liveNeurons = await page
      .locator('.run[data-run="a"] canvas.fields')
      .getAttribute('data-value');
    expect(Number(liveNeurons)).toBeGreaterThan(0); // receptive fields drawn

    // compact() and the two-file download, from a paused run
    await page.locator('.run[data-run="b"] button.start').click();
    const downloads: string[] = [];
    page.on('download', (download) => downloads.push(download.suggestedFilename()));
    await page.locator('.run[data-run="a"] button.compact').click();
    await page.waitForSelector('.run[data-run="a"] [data-stat="modelBytes"][data-value]', {
      timeout: WAIT_MS,
    });
    const modelBytes = await stat(page, 'a', 'modelBytes');
    expect(modelBytes).toBeGreaterThan(0);
    await expect
      .poll(() => downloads.sort(), { timeout: WAIT_MS })
      .toEqual(['playground-mlp.json', 'playground-mlp.weights.bin']);

    // switching run B's backend starts it over on that backend
    await page.locator('.run[data-run="b"] select[name="backend"]').selectOption('cpu');
    await page.waitForSelector(
      '.run[data-run="b"][data-state="ready"] [data-stat="backend"][data-value="cpu"]',
      {
        timeout: WAIT_MS,
      },
    );
    expect(await stat(page, 'b', 'step')).toBe(0);

    expect(errors).toEqual([]);
    await page.close();
  },
);

it.skipIf(!chromiumPath)('the page says so when the MNIST file cannot be loaded', async () => {
  const page = await browser!.newPage();
  await page.route('**/data/mnist-subset.bin', (route) =>
    route.fulfill({ status: 404, body: 'gone' }),
  );
  await page.goto(app!.url);
  const status = page.locator('#data-status[data-state="failed"]');
  await status.waitFor({ timeout: WAIT_MS });
  expect(await status.textContent()).toMatch(
    /The MNIST data could not be loaded, so nothing can train\. could not load http:\/\/127\.0\.0\.1:\d+\/data\/mnist-subset\.bin: HTTP 404/,
  );
  expect(await page.locator('.run').count()).toBe(0);
  await page.close();
});
