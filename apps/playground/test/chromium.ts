import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package (and other distributions' builds) put the browser. */
export const CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The first Chromium of {@link CHROMIUM_PATHS} that exists, or `undefined`. */
export function findChromium(): string | undefined {
  return CHROMIUM_PATHS.find((path) => existsSync(path));
}
