import { expect } from 'vitest';

/** What the synchronous `f` threw, or `undefined` if it returned. */
export function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Fails unless `error` is an `ErrorClass` about a file: its `name` is the class's, each
 * property in `file` (`{ path }`, `{ file }`, …) holds the file given there, its message
 * names that file as `<file>: `, and matches every one of `patterns`. Returns it, typed.
 */
export function expectFileError<E extends Error>(
  error: unknown,
  ErrorClass: new (...args: never[]) => E,
  file: Partial<Record<keyof E & string, string>>,
  ...patterns: RegExp[]
): E {
  if (!(error instanceof ErrorClass)) {
    expect.fail(
      `expected a ${ErrorClass.name} about ${JSON.stringify(file)}, got ${String(error)}`,
    );
  }
  expect(error.name).toBe(ErrorClass.name);
  for (const [key, value] of Object.entries(file)) {
    expect((error as unknown as Record<string, unknown>)[key]).toBe(value);
    expect(error.message).toContain(`${value}: `);
  }
  for (const pattern of patterns) expect(error.message).toMatch(pattern);
  return error;
}
