import type { BackendReport, LayerStats, Snapshot } from '../protocol.js';
import { el } from './dom.js';
import { integer, percent } from './format.js';

/** The numbers of a run, each in an element with `data-stat` and its raw `data-value`. */
export class StatsView {
  /** The view's element. */
  readonly element = el('div', { class: 'stats' });
  private readonly values = new Map<string, HTMLElement>();
  private readonly layers = el('tbody');
  private readonly backend = el('p', { class: 'backend', 'data-stat': 'backend' });

  constructor() {
    const list = el('dl');
    const add = (key: string, label: string, title = '') => {
      const value = el('dd', { 'data-stat': key }, '–');
      this.values.set(key, value);
      list.append(el('dt', title ? { title } : {}, label), value);
    };
    add('epoch', 'epoch');
    add('step', 'step');
    add('loss', 'loss', "mean cross-entropy of this epoch's batches");
    add('trainAccuracy', 'train accuracy', "this epoch's batches so far");
    add('validationAccuracy', 'validation accuracy', 'at the last epoch end');
    add('density', 'non-zero weights', 'all kernels together');
    add('initialDensity', 'at the start');
    add('samplesPerSecond', 'samples/s', 'training steps only, last interval');
    add('samplesPerSecondOverall', 'samples/s (run)', 'training steps only, since the start');
    add('samplesPerSecondWall', 'samples/s (wall)', 'with snapshots and validation');
    const table = el(
      'table',
      { class: 'layers' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'layer'),
          el('th', {}, 'non-zero weights'),
          el('th', {}, 'active neurons'),
        ),
      ),
      this.layers,
    );
    this.element.append(this.backend, list, table);
  }

  /** Shows the backend the run got and why faster ones were passed over. */
  showBackend(report: BackendReport): void {
    this.backend.dataset.value = report.name;
    this.backend.textContent = `backend: ${report.detail}`;
    this.backend.title = report.skipped.length
      ? `skipped: ${report.skipped.join('; ')}`
      : 'the first choice';
    if (report.skipped.length) {
      this.backend.append(el('small', {}, ` — skipped ${report.skipped.join('; ')}`));
    }
  }

  /** Sets one number: `data-value` holds it, the text is `text`. */
  set(key: string, value: number, text: string): void {
    const element = this.values.get(key);
    if (!element) throw new RangeError(`unknown stat '${key}'`);
    element.dataset.value = String(value);
    element.textContent = text;
  }

  /** Shows a snapshot's numbers. */
  showSnapshot(snapshot: Snapshot): void {
    this.set('epoch', snapshot.epoch, snapshot.epoch.toFixed(2));
    this.set('step', snapshot.step, integer(snapshot.step));
    this.set('loss', snapshot.loss, Number.isNaN(snapshot.loss) ? '–' : snapshot.loss.toFixed(4));
    this.set('density', snapshot.density, percent(snapshot.density, 2));
    if (snapshot.step > 0) {
      this.set('samplesPerSecond', snapshot.samplesPerSecond, integer(snapshot.samplesPerSecond));
      this.set(
        'samplesPerSecondOverall',
        snapshot.samplesPerSecondOverall,
        integer(snapshot.samplesPerSecondOverall),
      );
      this.set(
        'samplesPerSecondWall',
        snapshot.samplesPerSecondWall,
        integer(snapshot.samplesPerSecondWall),
      );
    }
    this.layers.replaceChildren(...snapshot.layers.map(layerRow));
  }
}

function layerRow(layer: LayerStats): HTMLTableRowElement {
  return el(
    'tr',
    {},
    el('td', {}, layer.layer),
    el(
      'td',
      {},
      `${integer(layer.nonZeros)} / ${integer(layer.size)} (${percent(layer.nonZeros / layer.size)})`,
    ),
    el('td', {}, `${layer.activeNeurons} / ${layer.neurons}`),
  );
}
