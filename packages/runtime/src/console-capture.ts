/**
 * Runs `fn` with `console.warn` captured: tfjs reports a backend that fails to start, and a
 * half-loaded tfjs-node re-registering its kernels, through `console.warn`. Lines `drop`
 * matches are discarded; the others are returned so that they can go into a reason.
 */
export async function captureWarnings<T>(
  fn: () => Promise<T>,
  drop: RegExp = /is already registered/,
): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (!drop.test(line)) warnings.push(line);
  };
  try {
    const value = await fn();
    return { value, warnings };
  } finally {
    console.warn = warn;
  }
}

/** The first line of an error's message, for a one-line reason. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
