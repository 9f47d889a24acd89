import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { firstLine } from './console-capture.js';

/** How tfjs gets an adapter from Dawn: `create(flags).requestAdapter(request)`. */
export interface DawnRoute {
  /** Flags of the `webgpu` package's `create` (e.g. `backend=opengles`). */
  flags: string[];
  /** Options of `requestAdapter`. */
  request: Record<string, string>;
}

/** A GPU adapter that Dawn (the `webgpu` package) offers on this machine. */
export interface WebgpuAdapterSummary {
  /**
   * `hardware`: a GPU. `software`: a rasterizer on the CPU (Mesa's llvmpipe, SwiftShader, or
   * an adapter that calls itself a fallback adapter), slower than the `wasm` backend.
   */
  kind: 'hardware' | 'software';
  /** What the adapter says it is, in one line, e.g. `nvidia ampere (NVIDIA H100 80GB HBM3)`. */
  name: string;
  /** How to get it again. */
  route: DawnRoute;
}

/** What {@link probeWebgpuAdapters} found. */
export interface WebgpuProbe {
  /** A GPU: through Dawn's native backend (Vulkan on Linux, Metal, D3D12), else OpenGL ES. */
  hardware?: WebgpuAdapterSummary;
  /** A software adapter: Mesa's llvmpipe through OpenGL ES, or a fallback adapter. */
  software?: WebgpuAdapterSummary;
  /** Dawn's own warnings while looking, e.g. `Couldn't load Vulkan: libvulkan.so.1: …`. */
  notes: string[];
  /** Why the probe itself failed (Dawn crashed or hung); the adapters are then unknown. */
  error?: string;
}

/** Dawn's native backend for the platform: Vulkan on Linux, Metal on macOS, D3D12 on Windows. */
export const NATIVE_ROUTE: DawnRoute = {
  flags: [],
  request: { powerPreference: 'high-performance' },
};

/**
 * OpenGL ES through EGL (Dawn's compatibility mode): where there is no GPU, Mesa's software
 * rasterizer llvmpipe (Debian packages `libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri`, with
 * `EGL_PLATFORM=surfaceless`).
 */
export const OPENGLES_ROUTE: DawnRoute = {
  flags: ['backend=opengles'],
  request: { featureLevel: 'compatibility' },
};

/** `EGL_PLATFORM` for the software route: Mesa without a display server. */
export const EGL_PLATFORM = 'surfaceless';

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

/** Raw adapter facts, as the probe process prints them. */
interface RawAdapter {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  fallback?: boolean;
}

/** The probe process: asks Dawn for each route's adapter and prints what it got as JSON. */
function probeScript(webgpuUrl: string, routes: DawnRoute[]): string {
  return `
const { create } = await import(${JSON.stringify(webgpuUrl)});
const out = [];
for (const { flags, request } of ${JSON.stringify(routes)}) {
  try {
    const adapter = await create(flags).requestAdapter(request);
    const info = adapter?.info ?? {};
    out.push(adapter ? { vendor: info.vendor, architecture: info.architecture, device: info.device,
      description: info.description, fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) } : null);
  } catch (error) {
    out.push({ error: String(error?.message ?? error) });
  }
}
process.stdout.write('\\n' + JSON.stringify(out) + '\\n');
process.exit(0);
`;
}

/** One line naming an adapter, e.g. `nvidia ampere (NVIDIA H100 80GB HBM3)`. */
export function adapterName(raw: RawAdapter): string {
  const id = [raw.vendor, raw.architecture, raw.device].filter((s) => s).join(' ') || 'unnamed';
  return raw.description ? `${id} (${raw.description})` : id;
}

function isSoftware(raw: RawAdapter): boolean {
  if (raw.fallback) return true;
  return SOFTWARE_NAMES.test([raw.vendor, raw.architecture, raw.device, raw.description].join(' '));
}

/** Dawn's warnings on stderr, one line each, without source locations and limit notices. */
function dawnNotes(stderr: string): string[] {
  const notes = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('Warning: ') && !/artificially reduced/.test(line))
    .map((line) => line.slice('Warning: '.length));
  return [...new Set(notes)];
}

let cached: Promise<WebgpuProbe> | undefined;

/**
 * Which WebGPU adapters Dawn offers here: a hardware GPU through Dawn's native backend for the
 * platform (Vulkan on Linux: needs the driver and `libvulkan1`), and Mesa's software
 * rasterizer through OpenGL ES. Asked in a child process, once per process (the answer is
 * cached): Dawn prints its diagnostics to the native stderr, which the child captures (they
 * come back as `notes`), and a driver that crashes or hangs fails the probe, not this process.
 * Needs the `webgpu` package; resolves with `error` set when the probe could not run.
 */
export function probeWebgpuAdapters(): Promise<WebgpuProbe> {
  cached ??= runProbe();
  return cached;
}

async function runProbe(): Promise<WebgpuProbe> {
  let webgpuUrl: string;
  try {
    webgpuUrl = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (error) {
    return { notes: [], error: `the webgpu package is not installed: ${firstLine(error)}` };
  }
  const routes = [NATIVE_ROUTE, OPENGLES_ROUTE];
  const env = { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? EGL_PLATFORM };
  const { stdout, stderr, failure } = await new Promise<{
    stdout: string;
    stderr: string;
    failure?: string;
  }>((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', probeScript(webgpuUrl, routes)],
      { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const failure = error
          ? error.killed
            ? 'it did not finish within 120 s'
            : `it exited with ${error.code ?? error.signal}: ${firstLine(stderr || error)}`
          : undefined;
        resolve({ stdout, stderr, ...(failure ? { failure } : {}) });
      },
    );
  });
  const notes = dawnNotes(stderr);
  const json = stdout.trim().split('\n').at(-1) ?? '';
  let raws: Array<(RawAdapter & { error?: string }) | null>;
  try {
    raws = JSON.parse(json);
  } catch {
    return { notes, error: `asking Dawn for adapters failed: ${failure ?? 'no answer'}` };
  }
  const probe: WebgpuProbe = { notes };
  for (const [i, raw] of raws.entries()) {
    if (!raw) continue;
    if (raw.error) {
      notes.push(raw.error);
      continue;
    }
    const kind = isSoftware(raw) ? 'software' : 'hardware';
    probe[kind] ??= { kind, name: adapterName(raw), route: routes[i]! };
  }
  return probe;
}
