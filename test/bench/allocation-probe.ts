/**
 * A preload for the benchmark's server processes that counts the heap they allocate:
 * `BENCH_NODE_ARGS="--import ./test/bench/allocation-probe.ts" ALLOC_PROBE_DIR=<dir> npm run bench`
 * (Node 24 runs the TypeScript as it is; it uses no syntax that needs compiling). Every 200 ms each
 * process and worker thread appends a line to `<dir>/<script>-<pid>.tsv`: the time (ms since the
 * epoch), the bytes allocated since it started, and its CPU time (µs). Allocated bytes are the
 * heap's growth plus what every garbage collection freed (`v8.GCProfiler`), so they count what
 * was allocated and collected in between too. Buffers' memory outside the heap is not counted.
 * Not part of the server: it only measures.
 */
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";

const directory = process.env.ALLOC_PROBE_DIR;
if (directory) {
  const file = path.join(directory, `${path.basename(process.argv[1] ?? "node")}-${process.pid}.tsv`);
  const start = v8.getHeapStatistics().used_heap_size;
  let freed = 0;
  let profiler = new v8.GCProfiler();
  profiler.start();
  const lines: string[] = [];
  const timer = setInterval(() => {
    const collections = profiler.stop()?.statistics ?? [];
    profiler = new v8.GCProfiler();
    profiler.start();
    for (const collection of collections) {
      freed += collection.beforeGC.heapStatistics.usedHeapSize - collection.afterGC.heapStatistics.usedHeapSize;
    }
    const cpu = process.cpuUsage();
    lines.push(`${Date.now()}\t${v8.getHeapStatistics().used_heap_size - start + freed}\t${cpu.user + cpu.system}`);
    if (lines.length >= 5) fs.appendFileSync(file, `${lines.splice(0).join("\n")}\n`);
  }, 200);
  timer.unref();
}
