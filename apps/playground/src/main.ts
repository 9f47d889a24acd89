import { loadMnistAsset } from './data/load-data.js';
import { DEFAULT_SETTINGS, type RunSettings } from './settings.js';
import { el } from './ui/dom.js';
import { RunPanel } from './ui/run-panel.js';

/** Run B starts as the comparison the paper's Fig. 3 makes: LinBreg with momentum. */
const RUN_B: RunSettings = { ...DEFAULT_SETTINGS, optimizer: 'linbreg-momentum' };

const status = document.querySelector<HTMLElement>('#data-status')!;
const runs = document.querySelector<HTMLElement>('#runs')!;

try {
  const data = await loadMnistAsset(document.baseURI);
  const nTrain = data.train.labels.length;
  const nValidation = data.validation.labels.length;
  status.dataset.state = 'ready';
  status.textContent = `MNIST: ${nTrain.toLocaleString('en-US')} training and ${nValidation.toLocaleString('en-US')} validation images (${data.height} × ${data.width}).`;
  const wasmUrl = new URL('wasm/', document.baseURI).href;
  runs.append(
    new RunPanel('a', DEFAULT_SETTINGS, data, wasmUrl).element,
    new RunPanel('b', RUN_B, data, wasmUrl).element,
  );
} catch (error) {
  status.dataset.state = 'failed';
  status.replaceChildren(
    el('strong', {}, 'The MNIST data could not be loaded, so nothing can train. '),
    (error as Error).message,
  );
}
