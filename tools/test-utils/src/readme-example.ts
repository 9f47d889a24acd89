import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRandom } from './seeded-random.js';

/**
 * A fenced ```ts block of a package README, a block the README promises runs: the first one,
 * or the one at index `block` (0-based) for a README with several examples.
 */
export function readmeExample(packageDir: string, block = 0): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const code = blocks[block];
  if (!code) {
    throw new Error(`${packageDir}/README.md has no \`\`\`ts example block at index ${block}`);
  }
  return code;
}

/**
 * Runs a package README's example (its first ```ts block, or the one at index `block`) as a
 * module, with imports of workspace packages pointed at their sources, and returns what it
 * printed with `console.log`. `Math.random` is seeded while it runs — tfjs draws every
 * unseeded initializer seed and `fit`'s shuffling from it — so a test of the example's
 * numbers sees the same draw every time instead of failing now and then.
 */
export async function runReadmeExample(
  packageDir: string,
  sources: Record<string, string>,
  block = 0,
): Promise<string[]> {
  let code = readmeExample(packageDir, block);
  for (const [specifier, file] of Object.entries(sources)) {
    code = code.replaceAll(`'${specifier}'`, `'${pathToFileURL(file).href}'`);
  }
  const dir = join(packageDir, '.readme-example');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, code);
  const printed: string[] = [];
  const log = console.log;
  const random = Math.random;
  console.log = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  };
  Math.random = seededRandom(1);
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = log;
    Math.random = random;
    rmSync(file, { force: true });
  }
  return printed;
}

/**
 * The README example of the workspace package a test belongs to: `testFile` is the test's
 * `import.meta.url` (a file in `packages/<name>/src/`), `packages` the workspace packages the
 * example imports, its own among them (`'core-prox'` for `@bregman/core-prox`), each pointed at
 * its `src/index.ts`. `run(block)` runs it as {@link runReadmeExample} does.
 */
export function packageReadme(testFile: string, packages: string[]) {
  const packageDir = fileURLToPath(new URL('..', testFile));
  const sources = Object.fromEntries(
    packages.map((name) => [
      `@bregman/${name}`,
      fileURLToPath(new URL(`../../${name}/src/index.ts`, testFile)),
    ]),
  );
  return {
    packageDir,
    run: (block = 0): Promise<string[]> => runReadmeExample(packageDir, sources, block),
  };
}
