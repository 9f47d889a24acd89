export { expectAllClose, flatten, shapeOf } from './close.js';
export type {
  Golden,
  GoldenProxCase,
  GoldenRegularizer,
  GoldenRun,
  NestedNumbers,
} from './golden.js';
export { loadGolden, sharedDir } from './golden.js';
export { checkGoldenRun } from './golden-run.js';
export { readmeExample, runReadmeExample } from './readme-example.js';
