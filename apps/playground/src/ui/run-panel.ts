import type { MnistAsset } from '../data/asset-format.js';
import type { CompactedModel, FromWorker, HistoryPoint, Snapshot } from '../protocol.js';
import { describeSettings, type RunSettings } from '../settings.js';
import { el } from './dom.js';
import { downloadModel } from './download.js';
import { bytes, integer, percent } from './format.js';
import { drawChart } from './line-chart.js';
import { drawReceptiveFields } from './receptive-fields.js';
import { RunClient } from './run-client.js';
import { SettingsForm } from './settings-form.js';
import { StatsView } from './stats-view.js';
import { drawKernel } from './weight-canvas.js';

/** Where a run is: shown on the panel and in its `data-state`. */
export type RunState = 'setting-up' | 'ready' | 'training' | 'pausing' | 'paused' | 'failed';

/**
 * One run: its settings, start / pause / reset, the numbers, the curves, the weight matrices,
 * the receptive fields and the compacted model. Changing a setting starts the run over.
 */
export class RunPanel {
  /** The panel's element (`data-run`, `data-state`). */
  readonly element: HTMLElement;
  private client: RunClient | undefined;
  private settings: RunSettings;
  private history: HistoryPoint[] = [];
  private readonly form: SettingsForm;
  private readonly stats = new StatsView();
  private readonly status = el('p', { class: 'status', role: 'status' });
  private readonly startButton = el('button', { type: 'button', class: 'start' }, 'Start');
  private readonly resetButton = el('button', { type: 'button', class: 'reset' }, 'Reset');
  private readonly compactButton = el(
    'button',
    {
      type: 'button',
      class: 'compact',
      title: 'compact() the model and download it (tfjs format)',
    },
    'Compact & download',
  );
  private readonly compacted = el('p', { class: 'compacted', 'data-stat': 'modelBytes' });
  private readonly accuracyChart = el('canvas', {
    width: '520',
    height: '170',
    class: 'chart accuracy',
  });
  private readonly densityChart = el('canvas', {
    width: '520',
    height: '150',
    class: 'chart density',
  });
  private readonly kernels = [0, 1, 2].map((i) =>
    el('canvas', { class: 'kernel', 'data-kernel': String(i) }),
  );
  private readonly fields = el('canvas', { class: 'fields' });
  private readonly fieldsTitle = el('h3', {}, 'receptive fields of the live first-layer neurons');

  constructor(
    id: string,
    initial: RunSettings,
    private readonly data: MnistAsset,
    private readonly wasmUrl: string,
  ) {
    this.settings = initial;
    this.form = new SettingsForm(initial, (settings) => {
      this.settings = settings;
      this.reset();
    });
    this.startButton.addEventListener('click', () => this.toggle());
    this.resetButton.addEventListener('click', () => this.reset());
    this.compactButton.addEventListener('click', () => this.compact());
    const kernelTitles = [
      'dense_1: 784 inputs → 200 neurons',
      'dense_2: 200 → 80',
      'dense_3: 80 → 10 classes',
    ];
    this.element = el(
      'section',
      { class: 'run', 'data-run': id },
      el('h2', {}, `Run ${id.toUpperCase()}`),
      this.form.element,
      el('div', { class: 'buttons' }, this.startButton, this.resetButton, this.compactButton),
      this.status,
      this.compacted,
      this.stats.element,
      this.accuracyChart,
      this.densityChart,
      el('h3', {}, 'weights (a row per neuron; grey 0, red > 0, blue < 0)'),
      ...this.kernels.flatMap((canvas, i) => [el('h4', {}, kernelTitles[i]!), canvas]),
      this.fieldsTitle,
      this.fields,
    );
    this.reset();
  }

  private setState(state: RunState, text: string): void {
    this.element.dataset.state = state;
    this.status.textContent = text;
    this.startButton.textContent = state === 'training' ? 'Pause' : 'Start';
    this.startButton.disabled = !['ready', 'training', 'paused'].includes(state);
    this.compactButton.disabled = !['ready', 'training', 'paused'].includes(state);
  }

  /** Terminates the current worker (if any) and sets up a fresh run with the settings. */
  reset(): void {
    const settings = this.form.read();
    if (!settings) return; // the form shows why
    this.settings = settings;
    this.client?.terminate();
    this.history = [];
    this.compacted.textContent = '';
    this.setState('setting-up', `setting up: ${describeSettings(settings)} …`);
    this.client = new RunClient(settings, this.data, this.wasmUrl, (m) => this.receive(m));
  }

  private toggle(): void {
    if (this.element.dataset.state === 'training') {
      this.client?.send({ type: 'pause' });
      this.setState('pausing', 'pausing after this step …');
    } else {
      this.client?.send({ type: 'start' });
      this.setState('training', `training: ${describeSettings(this.settings)}`);
    }
  }

  private compact(): void {
    this.client?.send({ type: 'compact' });
    this.setState('pausing', 'pausing, then compacting …');
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.stats.showBackend(message.backend);
        this.stats.set(
          'initialDensity',
          message.snapshot.density,
          percent(message.snapshot.density, 2),
        );
        this.show(message.snapshot);
        this.setState(
          'ready',
          `ready: ${describeSettings(this.settings)}, ${message.stepsPerEpoch} steps per epoch`,
        );
        return;
      case 'snapshot':
        this.show(message.snapshot);
        return;
      case 'paused':
        if (this.element.dataset.state !== 'failed') this.setState('paused', 'paused');
        return;
      case 'compacted':
        this.showCompacted(message.model);
        return;
      case 'failed':
        this.setState('failed', `failed: ${message.message}`);
        return;
    }
  }

  private show(snapshot: Snapshot): void {
    this.history.push(...snapshot.points);
    this.stats.showSnapshot(snapshot);
    const last = (key: 'trainAccuracy' | 'validationAccuracy') => {
      for (let i = this.history.length - 1; i >= 0; i--) {
        const value = this.history[i]![key];
        if (value !== undefined) return value;
      }
      return undefined;
    };
    const train = last('trainAccuracy');
    const validation = last('validationAccuracy');
    if (train !== undefined) this.stats.set('trainAccuracy', train, percent(train));
    if (validation !== undefined)
      this.stats.set('validationAccuracy', validation, percent(validation));
    snapshot.kernels.forEach((kernel, i) => {
      if (this.kernels[i]) drawKernel(this.kernels[i], kernel);
    });
    const first = snapshot.kernels[0];
    if (first) {
      const live = drawReceptiveFields(this.fields, first, 28);
      this.fieldsTitle.textContent = `receptive fields of the live first-layer neurons: ${live} of ${first.shape[1]}`;
      this.fields.dataset.value = String(live);
    }
    this.drawCharts();
  }

  private drawCharts(): void {
    const series = (key: 'trainAccuracy' | 'validationAccuracy' | 'density') =>
      this.history.flatMap((p) => (p[key] === undefined ? [] : [[p.epoch, p[key]] as const]));
    drawChart(
      this.accuracyChart,
      [
        { label: 'train', color: '#d06000', points: series('trainAccuracy') },
        { label: 'validation', color: '#2060c0', points: series('validationAccuracy'), dots: true },
      ],
      { title: 'accuracy', yMax: 1, formatY: (y) => `${Math.round(100 * y)} %` },
    );
    drawChart(
      this.densityChart,
      [{ label: 'non-zero weights', color: '#208040', points: series('density') }],
      {
        title: 'density',
        formatY: (y) => `${(100 * y).toFixed(y < 0.1 ? 1 : 0)} %`,
      },
    );
  }

  private showCompacted(model: CompactedModel): void {
    const total = downloadModel(model);
    this.compacted.dataset.value = String(total);
    const units = model.units.map((u) => `${u.layer} ${u.before}→${u.after}`).join(', ');
    this.compacted.textContent =
      `compacted: ${integer(model.params.before)} → ${integer(model.params.after)} parameters ` +
      `(${units}); downloaded ${model.weightsFile.replace(/\.weights\.bin$/, '.json')} + ` +
      `${model.weightsFile}: ${bytes(total)}`;
    this.setState('paused', 'paused (compacted model downloaded)');
  }
}
