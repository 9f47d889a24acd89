// pnpm bench [options]: see --help.
import { renameSync, writeFileSync } from 'node:fs';
import { stopWebgpuBackend } from '@bregman/runtime';
import { runBench } from './bench.js';
import { endToEndTable } from './end-to-end.js';
import { parseArgs, USAGE, UsageError } from './options.js';
import { agreementTable, markdownTable, parallelTable } from './report.js';
import { sparseAwareTable } from './sparse-aware.js';

try {
  const options = parseArgs(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
  } else {
    const result = await runBench(options, (line) => console.error(line));
    await stopWebgpuBackend(); // the GPU device and navigator.gpu, if webgpu ran: lets the process exit
    for (const s of result.skippedBackends) console.log(`skipped backend ${s.name}: ${s.why}`);
    const { cpuModel, cpus } = result.machine;
    console.log(`${cpuModel}, ${cpus} cores`);
    for (const { name, device, matMul, simdMatMul } of result.backends) {
      console.log(
        `${name}${device ? ` (${device})` : ''}: matMul ${matMul.n}² at ${matMul.gflops.toFixed(1)} GFLOP/s (${matMul.msPerCall.toFixed(1)} ms)${simdMatMul ? `, through the SIMD GEMM at ${simdMatMul.gflops.toFixed(1)} GFLOP/s (${simdMatMul.msPerCall.toFixed(1)} ms)` : ''} at the start; each row's ceilings are timed in its own rounds`,
      );
    }
    console.log(markdownTable(result.rows));
    if (result.parallel.length > 0) console.log(`\n${parallelTable(result.parallel)}`);
    if (result.agreement.length > 0) console.log(`\n${agreementTable(result.agreement)}`);
    if (result.sparseAware.length > 0) console.log(`\n${sparseAwareTable(result.sparseAware)}`);
    for (const run of result.endToEnd) console.log(`\n${run.backend}:\n${endToEndTable(run)}`);
    if (options.json) {
      const tmp = `${options.json}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
      renameSync(tmp, options.json);
      console.error(`wrote ${options.json}`);
    }
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
