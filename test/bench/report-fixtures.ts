/** Results for the report's tests: a run that measured only what a test gives it. */
import type { BenchResults, MachineDescription } from "./report.js";

type Measured = Omit<BenchResults, "machine" | "durationSeconds" | "targets">;

/** A run on `machine` of `durationSeconds` that measured `measured` and nothing else. */
export function resultsMeasuring(machine: MachineDescription, durationSeconds: number, measured: Partial<Measured>): Omit<BenchResults, "targets"> {
  const nothing: Measured = {
    fanOut: [],
    saturation: [],
    firstSync: [],
    writeAmplification: [],
    connections: [],
    documentCycles: [],
    durability: [],
    cluster: null,
  };
  return { machine, durationSeconds, ...nothing, ...measured };
}
