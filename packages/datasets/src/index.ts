export type { InputLayout, LabelFormat } from './batch-tensors.js';
export type { Augmentation, Batch, BatcherOptions } from './batcher.js';
export { Batcher } from './batcher.js';
export type { Cifar10Options } from './cifar10.js';
export {
  CIFAR10_FILE_NAMES,
  loadCifar10,
  parseCifar10Batch,
  readCifar10Batch,
} from './cifar10.js';
export { CIFAR10_CLASSES, FASHION_MNIST_CLASSES, MNIST_CLASSES } from './class-names.js';
export { DataFileError } from './data-file-error.js';
export type { ImageDataset, ImageDatasetInit } from './dataset.js';
export { createDataset, head, imageSize, labelCounts, subset } from './dataset.js';
export type { CacheStatus, FashionMnistData, FashionMnistOptions } from './fashion-mnist.js';
export {
  defaultCacheDir,
  FASHION_MNIST_PER_CLASS,
  FASHION_MNIST_TRAIN_PER_CLASS,
  loadFashionMnist,
} from './fashion-mnist.js';
export type { IdxArray } from './idx.js';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdx } from './idx.js';
export type { IdxDatasetOptions } from './idx-dataset.js';
export { readIdxDataset } from './idx-dataset.js';
export type { MnistOptions } from './mnist.js';
export { IDX_FILE_NAMES, loadIdxDirectory, loadMnist } from './mnist.js';
export type { NoiseOptions } from './noise.js';
export { addGaussianNoise } from './noise.js';
export type { DataFileDigest, DataProvenance } from './provenance.js';
export { MAX_GZIP_INFLATED_BYTES } from './read-bytes.js';
export type { SplitOptions, TrainValidationSplit } from './split.js';
export { splitDataset } from './split.js';
export type { Standardization, StandardizationOptions } from './standardization.js';
export { computeStandardization } from './standardization.js';
export type { ToFloat32Options } from './to-float32.js';
export { toFloat32 } from './to-float32.js';
export type { DatasetTensors, ToTensorsOptions } from './to-tensors.js';
export { toTensors } from './to-tensors.js';
export type { TrainTestData } from './train-test.js';
