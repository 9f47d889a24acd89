#!/usr/bin/env node
// pnpm repro [experiments…] [options]: see --help.
import { ConfigurationMismatchError } from './engine/plan.js';
import { parseArgs, USAGE, UsageError } from './options.js';
import { repro } from './repro.js';

const argv = process.argv.slice(2);
try {
  const options = parseArgs(argv);
  if (!options) {
    console.log(USAGE);
  } else {
    const { outcomes } = await repro(options, ['pnpm repro', ...argv].join(' '));
    const failed = outcomes.filter((o) => o.status === 'failed');
    for (const f of failed)
      console.error(`repro: ${f.run.spec.experiment}/${f.run.spec.runId} failed: ${f.error}`);
    process.exitCode = failed.length > 0 ? 1 : 0;
  }
} catch (error) {
  if (error instanceof UsageError || error instanceof ConfigurationMismatchError) {
    console.error(`repro: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
