/**
 * The exit codes of `pnpm repro`: one table that every path keeps (tested in
 * `exit-codes.test.ts` and `cli.test.ts`, printed by `--help`, listed in the README).
 */
export const EXIT = {
  /** Every planned run finished (now or before) and the report is written. */
  ok: 0,
  /** At least one run failed; the others finished and the report is written. */
  runFailed: 1,
  /**
   * Bad usage, found before any training: an unknown flag or value, an unusable `--out` or
   * `--data-dir`, data missing for an experiment named on the command line, a results
   * directory made with another configuration or holding an unreadable record, another
   * `pnpm repro` writing to it, or a `--queue` that is not a Redis URL or does not answer.
   */
  usage: 2,
  /**
   * The results could not be written (disk full, no permission, read-only): the sweep
   * stops; finished runs and the last epoch checkpoints are kept for `--resume`.
   */
  storage: 3,
  /** An internal error (a bug): the message and stack are printed. */
  internal: 4,
} as const;

/** One line per exit code, as `--help` and the README print them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  every run finished and the report is written
  1  some run failed (the others finished; the report is written and lists the failures)
  2  bad usage, found before any training: an unknown flag or value, an unusable --out or
     --data-dir, data missing for an experiment named on the command line, a results
     directory of another configuration or with an unreadable record, another
     pnpm repro writing to the same --out, or a --queue that is not a redis:// URL or
     whose Redis does not answer
  3  the results could not be written (disk full, no permission): the sweep stops, finished
     runs and epoch checkpoints are kept for --resume
  4  an internal error (a bug; please report it with the printed stack)
  128+N  killed by signal N (Ctrl-C: 130): rerun with --resume`;
