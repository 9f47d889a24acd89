import { createHash } from 'node:crypto';
import type { RunSpec } from '../shared/spec.js';

/** JSON with object keys sorted, so that equal specs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The identity of a run's training: a hash of everything in its spec that changes the
 * numbers (not the experiment, profile, run id or method name, so that two experiments that contain the
 * same run share it).
 */
export function runKey(spec: RunSpec): string {
  const { experiment: _e, runId: _r, profile: _p, ...training } = spec;
  const { id: _i, label: _l, ...method } = training.method;
  return createHash('sha256')
    .update(canonicalJson({ ...training, method }))
    .digest('hex')
    .slice(0, 16);
}
