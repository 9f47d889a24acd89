/** Byte-damage fuzzing of file readers: fixed-seed settings, mutations and `mutate`. */
export type { Mutation } from './byte-damage.js';
export {
  bitFlipArb,
  bitFlipsArb,
  deletionArb,
  fuzzParameters,
  insertionArb,
  maybeMutationsArb,
  mutate,
  mutationArb,
  mutationsArb,
  truncationArb,
} from './byte-damage.js';
export { expectAllClose, flatten, shapeOf } from './close.js';
/** Errors about a file: of the right class, naming the file in a property and the message. */
export { expectFileError, thrownBy } from './file-error.js';
export type {
  Golden,
  GoldenProxCase,
  GoldenRegularizer,
  GoldenRun,
  NestedNumbers,
} from './golden.js';
export { loadGolden, sharedDir } from './golden.js';
export { checkGoldenRun } from './golden-run.js';
/** An optimizer's config through JSON and the tfjs registry, with rules of every match kind. */
export { expectConfigRoundTrip, roundTripRules } from './optimizer-config.js';
export { packageReadme, readmeExample, runReadmeExample } from './readme-example.js';
export { seededRandom } from './seeded-random.js';
export { tensorReads } from './tensor-reads.js';
export { weightArrays, weightsOfNew } from './weights.js';
