/**
 * A data file that cannot be used: missing, truncated, corrupt, of the wrong format, or
 * inconsistent with its companion file. The message names the file and the problem.
 */
export class DataFileError extends Error {
  /** The file (or directory) at fault. */
  readonly file: string;

  /** What is wrong with it, without the file name. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'DataFileError';
    this.file = file;
    this.problem = problem;
  }
}
