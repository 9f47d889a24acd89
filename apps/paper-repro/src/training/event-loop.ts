/**
 * Lets the event loop run (IPC messages out, a parent's `disconnect` in) between the
 * synchronous steps of a long loop: training and evaluation call it once per batch group.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
