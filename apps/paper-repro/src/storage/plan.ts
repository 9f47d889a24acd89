import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunSpec } from '../shared/spec.js';
import { runKey } from './run-key.js';
import { readRunRecord, writeRunRecord } from './run-record.js';

/** Where a run keeps its files. */
export interface RunPaths {
  /** The run record (JSON), rewritten after every epoch. */
  record: string;
  /** The resume checkpoint (model, optimizer, scheduler, best model), rewritten every epoch. */
  checkpoint: string;
  /** The kept model (best validation accuracy), written when the run is done. */
  model: string;
  /** A directory for the run's other files (Fig. 1 snapshots, Fig. 5 samples). */
  artifacts: string;
}

/** A run's spec and files. */
export interface RunSlot {
  /** The spec (experiment, run id, method label of this slot). */
  spec: RunSpec;
  /** Its files. */
  paths: RunPaths;
}

/** One training to do (or done), and every experiment slot that shares it. */
export interface PlannedRun extends RunSlot {
  /** The configuration hash. */
  key: string;
  /** `done`: finished earlier; `resume`: continues a checkpoint; `fresh`: starts at epoch 0. */
  start: 'done' | 'resume' | 'fresh';
  /** Other experiments' slots with the same configuration: they get copies of the record. */
  copies: RunSlot[];
}

/** A record in the results directory made with another configuration than the one planned. */
export class ConfigurationMismatchError extends Error {}

/** The files of a run in `outDir`. */
export function runPaths(outDir: string, spec: RunSpec): RunPaths {
  const dir = join(outDir, spec.experiment);
  return {
    record: join(dir, 'runs', `${spec.runId}.json`),
    checkpoint: join(dir, 'checkpoints', `${spec.runId}.ckpt`),
    model: join(dir, 'models', `${spec.runId}.bin`),
    artifacts: join(dir, 'artifacts', spec.runId),
  };
}

/**
 * Plans the trainings of `specs`: one per configuration (experiments that contain the
 * same run share it), marked `done` when a finished record of that configuration exists
 * (finished runs are never redone), `resume` when `resume` is set and a checkpoint exists,
 * else `fresh`. A record of another configuration at a run's path is an error, never
 * silently overwritten.
 */
export function planRuns(specs: readonly RunSpec[], outDir: string, resume: boolean): PlannedRun[] {
  const byKey = new Map<string, PlannedRun>();
  for (const spec of specs) {
    const key = runKey(spec);
    const paths = runPaths(outDir, spec);
    const existing = readRunRecord(paths.record);
    if (existing && existing.key !== key) {
      throw new ConfigurationMismatchError(
        `${paths.record} was made with another configuration (profile '${existing.spec.profile}', ${existing.spec.epochs} epochs); ` +
          'pass --out DIR for a fresh results directory, or move the old one away',
      );
    }
    const done = existing?.status === 'done';
    const primary = byKey.get(key);
    if (primary && done && primary.start !== 'done') {
      // this slot already holds the finished training: it becomes the one the others copy
      primary.copies.push({ spec: primary.spec, paths: primary.paths });
      Object.assign(primary, { spec, paths, start: 'done' });
      continue;
    }
    if (primary) {
      primary.copies.push({ spec, paths });
      continue;
    }
    const start = done ? 'done' : resume && existsSync(paths.checkpoint) ? 'resume' : 'fresh';
    byKey.set(key, { spec, paths, key, start, copies: [] });
  }
  return [...byKey.values()];
}

/**
 * Gives every slot that shares a finished training a copy of its record (with the slot's
 * own experiment, run id and method label) and of its kept model, and removes the
 * training's resume checkpoint if one is left (a kill between the record and the cleanup).
 */
export function copyFinished(run: PlannedRun): void {
  const record = readRunRecord(run.paths.record);
  if (record?.status !== 'done') return;
  rmSync(run.paths.checkpoint, { force: true });
  for (const slot of run.copies) {
    writeRunRecord(slot.paths.record, { ...record, spec: slot.spec });
    if (existsSync(run.paths.model)) {
      mkdirSync(dirname(slot.paths.model), { recursive: true });
      copyFileSync(run.paths.model, slot.paths.model);
    }
    rmSync(slot.paths.checkpoint, { force: true });
  }
}
