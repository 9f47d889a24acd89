export { expectAllClose, flatten, shapeOf } from './close.js';
export type {
  Golden,
  GoldenProxCase,
  GoldenRegularizer,
  GoldenRun,
  NestedNumbers,
} from './golden.js';
export { loadGolden, sharedDir } from './golden.js';
export { readmeExample, runReadmeExample } from './readme-example.js';
