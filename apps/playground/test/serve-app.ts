import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

/** The app's directory (where vite.config.ts is). */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A built copy of the app served on a loopback port. */
export interface ServedApp {
  /** The page's URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Builds the app (`vite build` with the app's config, into `outDir`) and serves it with
 * `vite preview` on a free port of 127.0.0.1 (the config's headers included).
 */
export async function buildAndServe(outDir: string): Promise<ServedApp> {
  await build({ root: APP_DIR, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: APP_DIR,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview reported no URL');
  return { url, close: () => server.close() };
}
