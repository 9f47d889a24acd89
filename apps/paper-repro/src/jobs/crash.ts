import { EXIT } from '../shared/exit-codes.js';

/**
 * Makes an uncaught exception or unhandled rejection print its stack and exit with
 * {@link EXIT}.internal. The handlers go first in line: tfjs-backend-wasm adds handlers
 * that rethrow (Node would then exit with its own code 7), and they never run after ours.
 * For the CLI's processes only, never in a library or a test runner.
 */
export function exitOnCrash(who: string): void {
  const crash = (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${who}: internal error: ${text}\n`);
    process.exit(EXIT.internal);
  };
  process.prependListener('uncaughtException', crash);
  process.prependListener('unhandledRejection', crash);
}
