/**
 * What tfjs-backend-webgpu reads from the global scope, as a browser provides it:
 * `navigator.gpu` (checked when the module is imported and when a backend is constructed) and
 * the `GPUBufferUsage` / `GPUMapMode` / … constants. Node has none of them: the `webgpu`
 * package (Dawn) provides them, and this module puts them in place and takes them away again.
 */

/** The part of Dawn's `GPU` object this package uses. */
export interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
}

/** The part of a `GPUAdapter` this package uses. */
export interface DawnAdapter {
  readonly info?: Record<string, unknown>;
  readonly isFallbackAdapter?: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: Record<string, unknown>): Promise<DawnDevice>;
}

/** The part of a `GPUDevice` this package uses. */
export interface DawnDevice {
  destroy(): void;
  /** Resolves when the device is lost (after `destroy`, too). */
  readonly lost?: Promise<unknown>;
}

/** The `webgpu` npm package: `create(flags)` and the `GPU*` globals. */
export interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

interface Installed {
  /** The global names this module defined (and removes again). */
  globals: string[];
  /** Whether `navigator` itself was created here (Node 20 has none). */
  ownNavigator: boolean;
}

let installed: Installed | undefined;

/**
 * Defines `navigator.gpu = gpu` and the `GPU*` globals that are missing. Node 20 has no
 * `navigator`: one is created. Node ≥ 21 has a read-only one: `gpu` is defined on it with
 * `Object.defineProperty` (a plain assignment would be ignored).
 */
export function installWebgpuGlobals(dawn: DawnModule, gpu: DawnGpu): void {
  removeWebgpuGlobals();
  const scope = globalThis as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (name in scope) continue;
    Object.defineProperty(scope, name, { value, configurable: true, writable: true });
    added.push(name);
  }
  const navigator = scope.navigator as object | undefined;
  if (navigator === undefined) {
    Object.defineProperty(scope, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  } else {
    Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
  installed = { globals: added, ownNavigator: navigator === undefined };
}

/**
 * Removes what {@link installWebgpuGlobals} defined. The process does not exit while
 * `navigator.gpu` holds Dawn's instance.
 */
export function removeWebgpuGlobals(): void {
  if (!installed) return;
  const scope = globalThis as Record<string, unknown>;
  if (installed.ownNavigator) delete scope.navigator;
  else if (scope.navigator) delete (scope.navigator as Record<string, unknown>).gpu;
  for (const name of installed.globals) delete scope[name];
  installed = undefined;
}
