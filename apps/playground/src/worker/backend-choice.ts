import { registerWasmTrainingKernels } from '@bregman/runtime/browser';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendReport } from '../protocol.js';
import type { BackendRequest } from '../settings.js';

/** Why a backend cannot run here, or `null` when it can be tried. */
type Probe = () => Promise<string | null>;

/** The part of WebGPU's adapter this file reads (TypeScript's DOM types have no WebGPU). */
interface GpuAdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software/i;

/** WebGPU: an adapter that is not a software fallback. */
const probeWebgpu: Probe = async () => {
  const gpu = (
    navigator as { gpu?: { requestAdapter(o?: object): Promise<GpuAdapterLike | null> } }
  ).gpu;
  if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser, or it is turned off)';
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'navigator.gpu.requestAdapter() gave no adapter';
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  if (info.isFallbackAdapter || adapter.isFallbackAdapter || SOFTWARE.test(name)) {
    return `only a software adapter (${name || 'fallback'}): slower than wasm`;
  }
  return null;
};

/** WebGL 2 on a GPU: not a software rasterizer (SwiftShader, llvmpipe). */
const probeWebgl: Probe = async () => {
  if (typeof OffscreenCanvas === 'undefined') return 'no OffscreenCanvas in this worker';
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2', { failIfMajorPerformanceCaveat: true });
  if (!gl) return 'no WebGL 2 context without a major performance caveat';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : '';
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  if (SOFTWARE.test(renderer)) return `only software rendering (${renderer}): slower than wasm`;
  return null;
};

const noProbe: Probe = async () => null;

/** The backends in the order `'auto'` tries them, fastest first, with their checks. */
const ORDER: { name: Exclude<BackendRequest, 'auto'>; probe: Probe }[] = [
  { name: 'webgpu', probe: probeWebgpu },
  { name: 'webgl', probe: probeWebgl },
  { name: 'wasm', probe: noProbe },
  { name: 'cpu', probe: noProbe },
];

/** Starts `name` (tfjs prints its own warning when a backend fails); false when it did not. */
async function start(name: string, wasmUrl: string): Promise<boolean> {
  if (name === 'wasm') setWasmPaths(wasmUrl);
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** What runs, in words. */
async function describe(name: string): Promise<string> {
  if (name === 'wasm') {
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = getThreadsCount();
    return `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}, @bregman/runtime training kernels)`;
  }
  if (name === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return debug && gl
      ? `webgl (${String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL))})`
      : 'webgl';
  }
  if (name === 'webgpu') {
    const adapterInfo = (
      tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }
    ).adapterInfo;
    const what = [adapterInfo?.vendor, adapterInfo?.architecture].filter(Boolean).join(' ');
    return what ? `webgpu (${what})` : 'webgpu';
  }
  return 'cpu (plain JavaScript: the slowest)';
}

/**
 * Starts the backend `request` asks for: `'auto'` tries WebGPU (a hardware adapter), WebGL
 * (hardware rendering), wasm with @bregman/runtime's training kernels, cpu, in this order, and
 * says why it passed over each one it skipped; a named backend is started or the error says
 * why not. Call once per worker, before any tensor exists.
 *
 * @param wasmUrl - the absolute URL of the directory with tfjs-backend-wasm's `.wasm` files.
 */
export async function startBackend(
  request: BackendRequest,
  wasmUrl: string,
): Promise<BackendReport> {
  const skipped: string[] = [];
  const candidates = request === 'auto' ? ORDER : ORDER.filter((b) => b.name === request);
  if (candidates.length === 0) throw new RangeError(`backend: unknown backend '${request}'`);
  for (const { name, probe } of candidates) {
    const reason = request === 'auto' ? await probe() : null;
    if (reason) {
      skipped.push(`${name}: ${reason}`);
      continue;
    }
    if (!(await start(name, wasmUrl))) {
      skipped.push(`${name}: tfjs could not start it (see the browser console)`);
      continue;
    }
    if (name === 'wasm') registerWasmTrainingKernels(); // after the start: see @bregman/runtime
    tf.enableProdMode(); // no NaN check after every op
    return { requested: request, name, detail: await describe(name), skipped };
  }
  throw new Error(`no backend started: ${skipped.join('; ')}`);
}
