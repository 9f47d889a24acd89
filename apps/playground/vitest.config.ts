// A relative import: vitest bundles its config file and cannot load a linked package's .ts.
import { packageTestConfig } from '../../tools/test-utils/src/vitest-config.js';

export default packageTestConfig();
