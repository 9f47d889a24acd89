/**
 * A small seeded generator (xoshiro128**, seeded through a murmur3 finalizer) with
 * independent streams: `new Rng(seed, epoch, batch)` draws the same numbers whatever was
 * drawn before from other streams, so shuffles and noise depend only on their indices.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, ...stream: number[]) {
    // fold the seed (both 32-bit halves) and the stream indices into one 32-bit key chain
    let h = mix32(0x9e3779b9 ^ (seed >>> 0));
    h = mix32(h ^ Math.floor(seed / 2 ** 32) ^ 0x85ebca6b);
    for (const s of stream) h = mix32(h ^ mix32((s >>> 0) + 0x27d4eb2f));
    this.s0 = mix32(h + 0x6a09e667);
    this.s1 = mix32(h + 0xbb67ae85);
    this.s2 = mix32(h + 0x3c6ef372);
    this.s3 = mix32(h + 0xa54ff53a);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n), without modulo bias (n ≤ 2³²). */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fills `out` with standard normal draws (Box–Muller, both outputs used). */
  fillNormal(out: Float64Array | Float32Array): void {
    for (let i = 0; i < out.length; i += 2) {
      const u1 = (this.nextUint32() + 1) / 4294967296; // (0, 1]: log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
