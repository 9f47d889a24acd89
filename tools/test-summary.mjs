#!/usr/bin/env node
// Sums the JSON reports that each package's vitest run wrote (.vitest-report.json) into one
// closing line, so that the whole suite's result reads at a glance after turbo's output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
for (const group of ['packages', 'apps', 'tools']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, '.vitest-report.json');
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    perPackage.push(`${group}/${name}: ${report.numPassedTests}/${report.numTotalTests}`);
  }
}
if (perPackage.length === 0) {
  console.error('test-summary: no .vitest-report.json found: no test ran');
  process.exit(1);
}
console.log(`\n${perPackage.join('\n')}`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
