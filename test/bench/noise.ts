/**
 * BENCH_NOISE=1: a competing CPU load on the machine while the benchmark runs, as on a machine
 * doing other work. A separate process spins for 10 ms and sleeps for 10 ms, over and over (half
 * of one core, in bursts that interrupt whatever shares that core), until it is stopped, its
 * parent goes away, or an hour has passed, whichever comes first.
 */
import { type ChildProcess, spawn } from "node:child_process";

export const noiseDescription = "a separate process busy 10 ms in every 20 (half a core, in bursts)";

const loop = `
  const parent = process.ppid;
  const until = Date.now() + 60 * 60 * 1000;
  const burst = () => {
    const end = performance.now() + 10;
    while (performance.now() < end) {}
    let alive = true;
    try { process.kill(parent, 0); } catch { alive = false; }
    if (alive && Date.now() < until) setTimeout(burst, 10);
  };
  burst();
`;

export class CpuNoise {
  private constructor(private readonly child: ChildProcess) {}

  static start(): CpuNoise {
    return new CpuNoise(spawn(process.execPath, ["-e", loop], { stdio: "ignore" }));
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
