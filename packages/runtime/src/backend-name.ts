/**
 * The backends {@link useBestBackend} knows, fastest first: `webgpu` (a GPU through
 * `@tensorflow/tfjs-backend-webgpu` on Dawn, the `webgpu` package), `tensorflow`
 * (libtensorflow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`), `wasm`
 * (`@tensorflow/tfjs-backend-wasm` with the training kernels of this package), `cpu` (plain
 * JavaScript).
 */
export const BACKEND_NAMES = ['webgpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What may be asked for: a backend, or `auto` for the fastest one that starts. */
export type BackendRequest = BackendName | 'auto';

/**
 * Parses a requested backend name (from an option, a `--backend` flag or the
 * `BREGMAN_BACKEND` variable). Surrounding blanks and case are ignored; an empty value means
 * `auto`. Anything else is an error that names `source` and lists the allowed values.
 */
export function parseBackendRequest(value: string, source: string): BackendRequest {
  const name = value.trim().toLowerCase();
  if (name === '' || name === 'auto') return 'auto';
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new RangeError(
    `${source} must be one of ${[...BACKEND_NAMES, 'auto'].join(', ')}, got '${value}'`,
  );
}
