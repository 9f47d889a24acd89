import { DataFileError } from '@bregman/datasets';
import { DataDirError } from '../data/data-dir.js';
import { MissingDataError } from '../data/run-data.js';
import { CorruptCheckpointError } from '../storage/checkpoint.js';
import { ConfigurationMismatchError } from '../storage/plan.js';
import { CorruptRunRecordError } from '../storage/run-record.js';
import { NonFiniteLossError } from '../training/train-run.js';

/** Failures that another try would meet again: the data, the numbers, a damaged file. */
const PERMANENT = [
  NonFiniteLossError,
  DataFileError,
  MissingDataError,
  DataDirError,
  CorruptCheckpointError,
  CorruptRunRecordError,
  ConfigurationMismatchError,
];

/**
 * Whether a run's failure is for good, so that it is not tried again: a non-finite loss
 * (the same numbers diverge again), bad or missing data, a damaged checkpoint or record,
 * a checkpoint of another configuration. Anything else (a lost process, a full or
 * unreachable disk, a bug that may depend on the machine) is tried again.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (PERMANENT.some((kind) => error instanceof kind)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /belongs to another configuration|weights saved, the model has/.test(message);
}
