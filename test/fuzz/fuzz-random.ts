/**
 * The fuzz suites' source of randomness: a seeded PRNG (mulberry32), so every run sends the same
 * cases and a failure can be replayed, and the scale (`FUZZ_SCALE`, 1 in `npm test`, 10 in
 * `npm run fuzz`) that multiplies every count.
 */

/** mulberry32: a 32-bit state, a full period of 2^32, and good enough spread for choosing cases. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Choices made from one seeded stream. */
export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** A version 4 UUID that names nothing in the database. */
  uuid(): string {
    const hex = this.string(32, "0123456789abcdef");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** How much bigger than in `npm test` every count is (`FUZZ_SCALE`, default 1). */
export function fuzzScale(): number {
  const scale = Number(process.env.FUZZ_SCALE ?? "1");
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** `count` cases at scale 1, multiplied by the scale. */
export function scaled(count: number): number {
  return Math.round(count * fuzzScale());
}

/** The seed every suite starts from (`FUZZ_SEED` replays another run). */
export function fuzzSeed(): number {
  const seed = Number(process.env.FUZZ_SEED ?? "20261201");
  return Number.isFinite(seed) ? seed : 20261201;
}
