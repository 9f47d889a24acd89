import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The first fenced ```ts block of a package README, the block the README promises runs.
 */
export function readmeExample(packageDir: string): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error(`${packageDir}/README.md has no \`\`\`ts example block`);
  return match[1];
}

/**
 * Runs a package README's example as a module, with imports of workspace packages pointed
 * at their sources, and returns what it printed with `console.log`.
 */
export async function runReadmeExample(
  packageDir: string,
  sources: Record<string, string>,
): Promise<string[]> {
  let code = readmeExample(packageDir);
  for (const [specifier, file] of Object.entries(sources)) {
    code = code.replaceAll(`'${specifier}'`, `'${pathToFileURL(file).href}'`);
  }
  const dir = join(packageDir, '.readme-example');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, code);
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  };
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = log;
    rmSync(file, { force: true });
  }
  return printed;
}
