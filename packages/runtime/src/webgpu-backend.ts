import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { captureWarnings, firstLine } from './console-capture.js';
import { packageJsonPath, packageVersion } from './installed-package.js';
import {
  type DawnAdapter,
  type DawnDevice,
  type DawnModule,
  installWebgpuGlobals,
  removeWebgpuGlobals,
} from './webgpu-globals.js';
import { fixIntegerTranspose, splitLongAddN } from './webgpu-kernel-fixes.js';
import {
  EGL_PLATFORM,
  probeWebgpuAdapters,
  type WebgpuAdapterSummary,
  type WebgpuProbe,
} from './webgpu-probe.js';
import { refuseSyncReads } from './webgpu-sync-read.js';

/** The packages the `webgpu` backend needs: Dawn's Node binding and tfjs's WebGPU backend. */
export const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const;

/**
 * Which adapters {@link startWebgpuBackend} may use: `hardware` only a GPU; `any` a GPU, else
 * a software adapter; `software` only a software adapter (Mesa's llvmpipe: slow, for tests on
 * machines without a GPU).
 */
export type WebgpuAdapterChoice = 'hardware' | 'any' | 'software';

/** Options of {@link startWebgpuBackend}. */
export interface StartWebgpuOptions {
  /** Which adapters may be used (default `hardware`). */
  adapter?: WebgpuAdapterChoice;
}

/** The `webgpu` backend once started. */
export interface WebgpuStarted {
  /** `@tensorflow/tfjs-backend-webgpu`'s version. */
  version: string;
  /** The `webgpu` package's version (Dawn's Node binding). */
  dawnVersion: string;
  /** The adapter it computes on. */
  adapter: WebgpuAdapterSummary;
}

/** The outcome of {@link startWebgpuBackend}. */
export interface WebgpuAttempt {
  /** Set when the backend started (and is now tfjs's active backend). */
  started?: WebgpuStarted;
  /** Why it did not start, in one line: a summary, then `: ` and the details. */
  why?: string;
}

const ADAPTER_CHOICES: readonly WebgpuAdapterChoice[] = ['hardware', 'any', 'software'];

/** The limits tfjs-backend-webgpu's own factory raises to the adapter's, and storage buffers. */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  // compatibility mode (OpenGL ES) defaults to 4 per stage; some tfjs programs bind more
  'maxStorageBuffersPerShaderStage',
];

interface Running {
  started: WebgpuStarted;
  /** Dawn's objects: the instance of `create(flags)`, the adapter, the device once made. */
  dawn: unknown[];
  device?: DawnDevice;
}

let running: Running | undefined;

/**
 * Dawn's objects of every backend stopped so far, kept referenced for the life of the
 * process: when the garbage collector finalized them after `stopWebgpuBackend`, the process
 * died now and then in Dawn's or Mesa's native teardown ("terminate called after throwing an
 * instance of 'std::system_error'", or no message), seen in 3 of 6 test processes. A few
 * objects per start; the GPU memory itself is released by `device.destroy()`.
 */
const retired: unknown[] = [];

/** Why the packages cannot load, without importing them; `undefined` when they may. */
function precheck(): string | undefined {
  const missing = WEBGPU_PACKAGES.filter((pkg) => !packageJsonPath(pkg));
  if (missing.length > 0) {
    return (
      `not installed (optional peer dependencies): ${missing.join(' and ')} missing; ` +
      `npm install ${WEBGPU_PACKAGES.join(' ')}`
    );
  }
  const platform = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  const dawnNode = join(dirname(packageJsonPath('webgpu')!), 'dist', platform, 'dawn.node');
  if (!existsSync(dawnNode)) {
    return `no Dawn build for ${platform}: the webgpu package ${packageVersion('webgpu')} has no ${dawnNode}`;
  }
  return undefined;
}

/** The adapter to use for `choice`, or why there is none. */
function pick(
  probe: WebgpuProbe,
  choice: WebgpuAdapterChoice,
): WebgpuAdapterSummary | { why: string } {
  if (probe.error) return { why: `no adapter found: ${probe.error}` };
  const adapter = {
    hardware: probe.hardware,
    any: probe.hardware ?? probe.software,
    software: probe.software,
  }[choice];
  if (adapter) return adapter;
  const notes = probe.notes.map((note) => note.replace(/\.$/, '')).join('; ');
  if (choice === 'hardware' && probe.software) {
    return {
      why:
        `only a software adapter: ${probe.software.name}, slower than wasm; ` +
        `BREGMAN_BACKEND=webgpu uses it${notes ? ` (no GPU: ${notes})` : ''}`,
    };
  }
  const which = choice === 'software' ? 'software adapter' : 'GPU adapter';
  return {
    why:
      `no ${which}: Dawn found none${notes ? ` (${notes})` : ''}; without a GPU, Mesa's software adapter needs ` +
      'the Debian packages libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri',
  };
}

/**
 * Starts tfjs's `webgpu` backend in Node on Dawn (the `webgpu` package) and makes it the
 * active backend. Both packages are optional: install them with
 * `npm install webgpu @tensorflow/tfjs-backend-webgpu`. It finds the adapters first
 * ({@link probeWebgpuAdapters}), takes a hardware GPU — or, when `adapter` allows it, Mesa's
 * software rasterizer — then sets `navigator.gpu` (and the `GPU*` globals) before importing
 * tfjs-backend-webgpu, registers a backend factory on that adapter and switches to it. A
 * synchronous read of a GPU tensor (`dataSync`) then fails with an error that says to read
 * with `await tensor.data()`. Does not throw: when it cannot start, `why` says why (not
 * installed, no adapter, only a software adapter, the backend failed to start).
 * {@link stopWebgpuBackend} undoes it (the process does not exit while `navigator.gpu` is set).
 *
 * @example
 * ```ts
 * const { started, why } = await startWebgpuBackend({ adapter: 'any' });
 * console.log(started ? `on ${started.adapter.kind} adapter ${started.adapter.name}` : why);
 * // … train …
 * await stopWebgpuBackend();
 * ```
 */
export async function startWebgpuBackend(options: StartWebgpuOptions = {}): Promise<WebgpuAttempt> {
  const choice = options.adapter ?? 'hardware';
  if (!ADAPTER_CHOICES.includes(choice)) {
    throw new RangeError(
      `startWebgpuBackend: adapter must be one of ${ADAPTER_CHOICES.join(', ')}, got '${String(choice)}'`,
    );
  }
  const missing = precheck();
  if (missing) return { why: missing };
  const adapter = pick(await probeWebgpuAdapters(), choice);
  if ('why' in adapter) return { why: adapter.why };
  if (running?.started.adapter === adapter && tf.findBackend('webgpu')) {
    if (tf.getBackend() !== 'webgpu' && !(await tf.setBackend('webgpu'))) {
      return { why: 'its backend did not start again' };
    }
    return { started: running.started };
  }
  await stopWebgpuBackend();
  try {
    return await start(adapter);
  } catch (error) {
    await stopWebgpuBackend();
    return { why: `it did not start: ${firstLine(error)}` };
  }
}

async function start(summary: WebgpuAdapterSummary): Promise<WebgpuAttempt> {
  const dawn = (await import('webgpu')) as unknown as DawnModule;
  if (summary.route.flags.includes('backend=opengles')) process.env.EGL_PLATFORM ??= EGL_PLATFORM;
  const gpu = dawn.create(summary.route.flags);
  const adapter = await gpu.requestAdapter(summary.route.request);
  if (!adapter) return { why: `no adapter: Dawn no longer offers ${summary.name}` };
  // before the import: tfjs-backend-webgpu checks navigator.gpu when it loads and when a
  // backend is constructed
  installWebgpuGlobals(dawn, gpu);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  splitLongAddN();
  const started: WebgpuStarted = {
    version: packageVersion('@tensorflow/tfjs-backend-webgpu'),
    dawnVersion: packageVersion('webgpu'),
    adapter: summary,
  };
  running = { started, dawn: [gpu, adapter] };
  // its own factory asks navigator.gpu for a default adapter: replaced by one on ours
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const device = await adapter.requestDevice(deviceDescriptor(adapter));
      if (running) {
        running.device = device;
        running.dawn.push(device);
      }
      const backend = new WebGPUBackend(
        device as unknown as ConstructorParameters<typeof WebGPUBackend>[0],
        adapter.info as unknown as ConstructorParameters<typeof WebGPUBackend>[1],
      );
      fixIntegerTranspose(backend as unknown as Parameters<typeof fixIntegerTranspose>[0]);
      return backend;
    },
    3,
  );
  const { value: ok, warnings } = await captureWarnings(() => tf.setBackend('webgpu'));
  if (!ok) {
    const details = warnings.join(' ').replace(/\s+/g, ' ').trim() || 'no reason given';
    await stopWebgpuBackend();
    return { why: `its backend did not start: ${details}` };
  }
  for (const line of warnings) console.warn(line); // not ours to swallow once it started
  refuseSyncReads(tf.backend() as unknown as Parameters<typeof refuseSyncReads>[0]);
  return { started };
}

function deviceDescriptor(adapter: DawnAdapter): Record<string, unknown> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return { requiredLimits, requiredFeatures };
}

/** How long {@link stopWebgpuBackend} waits at most for Dawn to report the device lost. */
const DEVICE_LOST_WAIT_MS = 2000;

/**
 * Undoes {@link startWebgpuBackend}: removes the `webgpu` backend from tfjs (its tensors are
 * gone; when it was the active backend, switch to another one with `tf.setBackend` or
 * {@link useBestBackend}), destroys the GPU device, deletes `navigator.gpu` and the `GPU*`
 * globals, so that the process can exit, and resolves once Dawn has reported the device
 * lost (at most 2 s). Await it: a process that goes on (or a test runner that ends the
 * process) while Dawn is still tearing the device down was seen to abort in Dawn's native
 * code ("terminate called after throwing an instance of 'std::system_error'"). Does
 * nothing when it is not started.
 */
export async function stopWebgpuBackend(): Promise<void> {
  if (!running) return;
  const { device, dawn } = running;
  running = undefined;
  retired.push(...dawn);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  device?.destroy();
  removeWebgpuGlobals();
  if (device?.lost) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      device.lost,
      new Promise((resolve) => {
        timer = setTimeout(resolve, DEVICE_LOST_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
