import {
  BACKEND_REQUESTS,
  type BackendRequest,
  checkSettings,
  OPTIMIZERS,
  type OptimizerKind,
  REGULARIZERS,
  type RegularizerKind,
  type RunSettings,
} from '../settings.js';
import { el } from './dom.js';

function select<T extends string>(name: string, options: Record<T, string>, value: T) {
  const element = el('select', { name });
  for (const [key, label] of Object.entries(options) as [T, string][]) {
    element.append(el('option', { value: key }, label));
  }
  element.value = value;
  return element;
}

function numberInput(name: string, value: number, step: string) {
  const input = el('input', { name, type: 'number', step, min: '0' });
  input.value = String(value);
  return input;
}

/** The settings of one run as a form; `onChange` gets the checked settings or the error. */
export class SettingsForm {
  /** The form's element. */
  readonly element: HTMLFormElement;
  private readonly optimizer: HTMLSelectElement;
  private readonly regularizer: HTMLSelectElement;
  private readonly lambda: HTMLInputElement;
  private readonly learningRate: HTMLInputElement;
  private readonly initDensity: HTMLInputElement;
  private readonly batchSize: HTMLInputElement;
  private readonly seed: HTMLInputElement;
  private readonly backend: HTMLSelectElement;
  private readonly error = el('p', { class: 'form-error', role: 'alert' });

  constructor(initial: RunSettings, onChange: (settings: RunSettings) => void) {
    const optimizerLabels = Object.fromEntries(
      Object.entries(OPTIMIZERS).map(([k, v]) => [k, v.label]),
    ) as Record<OptimizerKind, string>;
    this.optimizer = select<OptimizerKind>('optimizer', optimizerLabels, initial.optimizer);
    this.regularizer = select<RegularizerKind>('regularizer', REGULARIZERS, initial.regularizer);
    this.lambda = numberInput('lambda', initial.lambda, 'any');
    this.learningRate = numberInput('learningRate', initial.learningRate, 'any');
    this.initDensity = numberInput('initDensity', initial.initDensity, 'any');
    this.batchSize = numberInput('batchSize', initial.batchSize, '1');
    this.seed = numberInput('seed', initial.seed, '1');
    this.backend = select<BackendRequest>('backend', BACKEND_REQUESTS, initial.backend);
    const row = (label: string, control: HTMLElement, title = '') =>
      el('label', title ? { title } : {}, el('span', {}, label), control);
    this.element = el(
      'form',
      { class: 'settings' },
      row('optimizer', this.optimizer),
      row(
        'sparsity',
        this.regularizer,
        'the regularizer (not used by SGD) and the kind of sparse initialization',
      ),
      row('λ', this.lambda),
      row('learning rate τ', this.learningRate),
      row(
        'initial density',
        this.initDensity,
        'fraction of weights (ℓ1) or neurons kept at the start',
      ),
      row('batch size', this.batchSize),
      row('seed', this.seed),
      row('backend', this.backend),
      this.error,
    );
    this.element.addEventListener('submit', (event) => event.preventDefault());
    this.optimizer.addEventListener('change', () => {
      this.learningRate.value = String(
        OPTIMIZERS[this.optimizer.value as OptimizerKind].learningRate,
      );
    });
    this.element.addEventListener('change', () => {
      const settings = this.read();
      if (settings) onChange(settings);
    });
  }

  /** The checked settings, or `undefined` with the error shown under the form. */
  read(): RunSettings | undefined {
    try {
      const settings = checkSettings({
        optimizer: this.optimizer.value as OptimizerKind,
        regularizer: this.regularizer.value as RegularizerKind,
        lambda: this.lambda.valueAsNumber,
        learningRate: this.learningRate.valueAsNumber,
        initDensity: this.initDensity.valueAsNumber,
        batchSize: this.batchSize.valueAsNumber,
        seed: this.seed.valueAsNumber,
        backend: this.backend.value as BackendRequest,
      });
      this.error.textContent = '';
      return settings;
    } catch (error) {
      this.error.textContent = (error as Error).message;
      return undefined;
    }
  }
}
