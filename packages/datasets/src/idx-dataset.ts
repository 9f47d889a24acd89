import { DataFileError } from './data-file-error.js';
import { createDataset, type ImageDataset } from './dataset.js';
import { readIdxFile } from './idx.js';
import type { FileContent } from './read-bytes.js';

/** Options of {@link readIdxDataset}. */
export interface IdxDatasetOptions {
  /** The IDX image file (magic 0x00000803, `[count, rows, cols]`), plain or `.gz`. */
  imagesFile: string;
  /** The IDX label file (magic 0x00000801, `[count]`), plain or `.gz`. */
  labelsFile: string;
  /** Name of the dataset, for messages. */
  name: string;
  /** Number of classes; a label at or above it is an error. Default 10. */
  numClasses?: number;
  /** Class names, `numClasses` of them. */
  classNames?: readonly string[];
}

/**
 * Reads a pair of IDX files (images and labels) into a one-channel {@link ImageDataset}.
 * Errors name the file and the problem: bad magic, truncation, trailing bytes, a count
 * mismatch between the two files, a label outside `[0, numClasses)`.
 */
export async function readIdxDataset(options: IdxDatasetOptions): Promise<ImageDataset> {
  return (await readIdxDatasetFiles(options)).dataset;
}

/** {@link readIdxDataset}, also returning the two files as read (for their sizes and hashes). */
export async function readIdxDatasetFiles(
  options: IdxDatasetOptions,
): Promise<{ dataset: ImageDataset; images: FileContent; labels: FileContent }> {
  const { imagesFile, labelsFile, name, numClasses = 10, classNames } = options;
  const [imagesRead, labelsRead] = await Promise.all([
    readIdxFile(imagesFile, 3),
    readIdxFile(labelsFile, 1),
  ]);
  const images = imagesRead.idx;
  const labels = labelsRead.idx;
  const [count, rows, cols] = images.dims as [number, number, number];
  const labelCount = labels.dims[0]!;
  if (count !== labelCount) {
    throw new DataFileError(
      labelsFile,
      `count mismatch: ${labelCount} labels but ${imagesFile} holds ${count} images`,
    );
  }
  if (rows === 0 || cols === 0) {
    throw new DataFileError(imagesFile, `images of ${rows} × ${cols} pixels`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i]! >= numClasses) {
      throw new DataFileError(
        labelsFile,
        `label ${labels.data[i]} at index ${i} is outside [0, ${numClasses - 1}]`,
      );
    }
  }
  const dataset = createDataset({
    name,
    images: images.data,
    labels: labels.data,
    height: rows,
    width: cols,
    channels: 1,
    numClasses,
    ...(classNames ? { classNames } : {}),
  });
  return { dataset, images: imagesRead.content, labels: labelsRead.content };
}
