/** How a sweep uses the cores: worker processes side by side, threads per run. */
export interface CoreSplit {
  /** Worker processes training runs side by side (`--jobs`). */
  jobs: number;
  /** Threads per run (`--threads`), for the runs that can use them. */
  threads: number;
}

/**
 * Splits `cores` between concurrent runs and threads per run, for `runs` runs to train.
 * What the user gave (`jobs`, `threads`) is kept as given; what is left out is chosen so
 * that the sweep ends soonest: runs side by side scale best (no step waits for another
 * thread), so there are as many processes as cores while the runs are at least as many;
 * with fewer runs than cores, each run gets an equal share of the cores as threads.
 */
export function splitCores(
  cores: number,
  runs: number,
  given: { jobs?: number; threads?: number },
): CoreSplit {
  const { jobs, threads } = given;
  if (jobs !== undefined && threads !== undefined) return { jobs, threads };
  if (jobs !== undefined) {
    return { jobs, threads: Math.max(1, Math.floor(cores / Math.min(jobs, Math.max(runs, 1)))) };
  }
  if (threads !== undefined) return { jobs: Math.max(1, Math.floor(cores / threads)), threads };
  const side = Math.max(1, Math.min(cores, runs));
  return { jobs: side, threads: Math.max(1, Math.floor(cores / side)) };
}
