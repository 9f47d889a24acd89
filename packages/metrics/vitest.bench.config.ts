// The logger-overhead benchmark (pnpm run bench): a vitest run of bench/, not part of `test`.
import { packageTestConfig } from '../../tools/test-utils/src/vitest-config.js';

const config = packageTestConfig({ testTimeout: 600_000 });
config.test = { ...config.test, include: ['bench/**/*.bench-run.ts'], reporters: ['default'] };

export default config;
