/**
 * Latency samples merged from every worker, sorted once, and summarised as percentiles.
 */

export interface SortedSamples {
  values: Float64Array;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function sortedSamples(parts: Float64Array[]): SortedSamples {
  const values = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    values.set(part, at);
    at += part.length;
  }
  values.sort();
  return { values };
}

/** The nearest-rank percentile (0 < p ≤ 1) of sorted values; 0 when there are none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarise({ values }: SortedSamples): LatencySummary {
  return {
    count: values.length,
    p50: round(percentile(values, 0.5), 2),
    p95: round(percentile(values, 0.95), 2),
    p99: round(percentile(values, 0.99), 2),
    max: round(values.length > 0 ? values[values.length - 1]! : 0, 2),
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
