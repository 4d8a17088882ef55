/**
 * The benchmark's results as one JSON document, and as the Markdown tables the README shows:
 * every figure per server, ours' ratios to each reference, and each target of issue 8 as met or
 * not met.
 */
import type { ClusterResults } from "./scenarios/cluster.js";
import type { ConnectionsResult } from "./scenarios/connections.js";
import type { DocumentCyclesResult } from "./scenarios/document-cycles.js";
import type { DurabilityResult } from "./scenarios/durability.js";
import type { FanOutResult } from "./scenarios/fan-out.js";
import type { FirstSyncResult } from "./scenarios/first-sync.js";
import type { SaturationResult } from "./scenarios/saturation.js";
import type { WriteAmplificationResult } from "./scenarios/write-amplification.js";
import { round } from "./statistics.js";
import { type TargetKey, targetLabels } from "./targets.js";

export interface MachineDescription {
  date: string;
  command: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string | null;
  os: string;
  /** BENCH_NOISE=1: the competing load that ran beside the benchmark. */
  noise?: string | null;
}

export interface BenchResults {
  machine: MachineDescription;
  durationSeconds: number;
  fanOut: FanOutResult[];
  saturation: SaturationResult[];
  firstSync: FirstSyncResult[];
  writeAmplification: WriteAmplificationResult[];
  connections: ConnectionsResult[];
  documentCycles: DocumentCyclesResult[];
  durability: DurabilityResult[];
  /** Several processes on one PostgreSQL and one Redis beside one process (issue 20); null when not run. */
  cluster: ClusterResults | null;
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  server: TargetKey;
  measured: string;
  met: boolean | null;
}

const ours: TargetKey[] = ["ours-postgres", "ours-pglite"];
const references: TargetKey[] = ["y-websocket", "hocuspocus"];
const label = (key: TargetKey) => targetLabels[key];
const number = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? "–" : round(value, digits).toLocaleString("en-NZ", { maximumFractionDigits: digits });
const ratio = (value: number, reference: number | undefined) => (reference ? (value / reference).toFixed(2) : "–");
const yesNo = (met: boolean | null) => (met === null ? "not measured" : met ? "**met**" : "**not met**");

function fanOutName(row: FanOutResult): string {
  const load = row.documents === 1 ? `${row.editorsPerDocument} editors, 1 document` : `${row.documents} documents × ${row.editorsPerDocument} editors`;
  return row.roundsP99 ? `${load} (${row.roundsP99.length} rounds pooled)` : load;
}

/** The targets of issue 8, checked against the results (ours on each database). */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const server of ours) {
    const fifty = results.fanOut.find((row) => row.target === server && row.documents === 1 && row.editorsPerDocument === 50);
    if (fifty) {
      const references50 = references
        .map((key) => results.fanOut.find((row) => row.target === key && row.documents === 1 && row.editorsPerDocument === 50))
        .filter((row): row is FanOutResult => row !== undefined);
      const ratios = references50.map((row) => `${ratio(fifty.latency.p99, row.latency.p99)} of ${label(row.target)}`);
      const rounds = fifty.roundsP99 ? ` (each round's: ${fifty.roundsP99.map((p99) => number(p99, 2)).join(", ")} ms)` : "";
      checks.push({
        target: "50 editors on one document: fan-out p99 ≤ 10 ms and ≤ the reference's p99 (auth and persistence on)",
        server,
        measured: `p99 ${number(fifty.latency.p99, 2)} ms over ${fifty.deliveries.toLocaleString("en-NZ")} deliveries${rounds}; ${ratios.join(", ")}`,
        met: fifty.latency.p99 <= 10 && references50.every((row) => fifty.latency.p99 <= row.latency.p99),
      });
    }
    const connections = results.connections.find((row) => row.target === server);
    const combined = connections?.steps.find((step) => step.socketIoConnections > 0);
    if (connections) {
      checks.push({
        target: "5,000 idle Yjs + 5,000 Socket.io connections on one process under 1 GB RSS",
        server,
        measured: combined ? `${number(combined.rssMiB)} MiB RSS (${combined.yjsConnections} + ${combined.socketIoConnections})` : "not reached",
        met: combined ? combined.rssMiB < 1024 && combined.yjsConnections >= 5000 && combined.socketIoConnections >= 5000 : false,
      });
    }
    const cycles = results.documentCycles.find((row) => row.target === server);
    if (cycles) {
      checks.push({
        target: "10,000 loaded documents at ≤ 20 KiB heap each",
        server,
        measured: `${number(cycles.heapPerLoadedDocumentKiB, 2)} KiB per document, its connection included`,
        met: cycles.heapPerLoadedDocumentKiB <= 20,
      });
      checks.push({
        target: `opening and closing ${cycles.documents.toLocaleString("en-NZ")} documents ${cycles.cycles === 1 ? "once" : `${cycles.cycles} times`} returns the heap to within 5%`,
        server,
        measured: `within ${number(cycles.heapReturnPercent, 2)}%` + (cycles.failingStoresHeapReturnPercent === null ? "" : `; with failing stores within ${number(cycles.failingStoresHeapReturnPercent, 2)}%`),
        met: cycles.heapReturnPercent <= 5 && (cycles.failingStoresHeapReturnPercent === null || cycles.failingStoresHeapReturnPercent <= 5),
      });
    }
    const compacted = results.firstSync.find((row) => row.target === server && row.state === "cold, snapshot" && row.typing === "realistic");
    if (compacted) {
      checks.push({
        target: `first sync of a document with ${compacted.updates.toLocaleString("en-NZ")} stored updates ≤ 100 ms after compaction`,
        server,
        measured: `${number(compacted.firstSyncMs)} ms (cold, from the database${compacted.samplesMs ? `; median of ${compacted.samplesMs.length} opens: ${compacted.samplesMs.map(number).join(", ")} ms` : ""})`,
        met: compacted.firstSyncMs <= 100,
      });
    }
    const writes = results.writeAmplification.find((row) => row.target === server);
    if (writes) {
      checks.push({
        target: "WAL bytes per byte of Yjs update ≤ 5×; ≤ 1 transaction per document per 50 ms of typing",
        server,
        measured: `${number(writes.walPerUpdateByte, 2)}×; ${number(writes.transactionsPer50ms, 2)} transactions per 50 ms`,
        met: writes.walPerUpdateByte <= 5 && writes.transactionsPer50ms <= 1,
      });
    }
    const durability = results.durability.find((row) => row.target === server);
    if (durability) {
      checks.push({
        target: "kill -9 while editors type: every update acknowledged as saved is stored (0 lost)",
        server,
        measured: `${durability.kills} kills, ${durability.lost} lost of ${durability.acknowledgedAtKills.toLocaleString("en-NZ")} checked`,
        met: durability.lost === 0 && durability.convergedAtEnd,
      });
    }
  }
  checks.push(...checkClusterTargets(results.cluster));
  checks.push({
    target: "the benchmark runs in under 10 minutes",
    server: "ours-postgres",
    measured: `${number(results.durationSeconds / 60, 1)} minutes`,
    met: results.durationSeconds < 600,
  });
  return checks;
}

/** The targets of issue 20: several processes against one, in the same run. */
function checkClusterTargets(cluster: ClusterResults | null): TargetCheck[] {
  if (!cluster) return [];
  const checks: TargetCheck[] = [];
  const fifty = cluster.fanOut.find((row) => row.documents === 1);
  if (fifty) {
    const rounds = (p99s: number[] | undefined) => (p99s ? ` (rounds ${p99s.map((p99) => number(p99, 2)).join(", ")})` : "");
    checks.push({
      target: `${fifty.editorsPerDocument} editors on one document across ${cluster.processes} processes: fan-out p99 ≤ 1.5× one process's in the same run, and ≤ 10 ms`,
      server: "ours-cluster",
      measured:
        `p99 ${number(fifty.cluster.latency.p99, 2)} ms${rounds(fifty.cluster.roundsP99)} against ${number(fifty.single.latency.p99, 2)} ms${rounds(fifty.single.roundsP99)}: ` +
        `${number(fifty.p99Ratio, 2)}×`,
      met: fifty.p99Ratio <= 1.5 && fifty.cluster.latency.p99 <= 10,
    });
  }
  if (cluster.kills) {
    checks.push({
      target: `kill -9 of either of ${cluster.processes} processes while editors on both type: every update acknowledged as saved is stored (0 lost)`,
      server: "ours-cluster",
      measured: `${cluster.kills.kills} kills, ${cluster.kills.lost} lost of ${cluster.kills.acknowledgedAtKills.toLocaleString("en-NZ")} checked`,
      met: cluster.kills.lost === 0 && cluster.kills.convergedAtEnd,
    });
  }
  return checks;
}

/** The several-process rows: each figure beside one process's from the same run. */
function renderCluster(cluster: ClusterResults): string[] {
  const one = "ours, 1 process (PostgreSQL)";
  const several = `ours, ${cluster.processes} processes (PostgreSQL + Redis ${cluster.redis})`;
  const lines = [
    `### Several processes (issue 20): ${cluster.processes} processes beside one, in the same run (${number(cluster.seconds / 60, 1)} minutes)`,
    "",
    `One process: its own database, no Redis. ${cluster.processes} processes: one database and one Redis; clients take the processes in turn, ` +
      "so every document has editors on each and a keystroke crosses Redis to reach some of them. Interleaved rounds after a warm-up round of each (not counted), pooled.",
    "",
    `| | ${one} | ${several} | ${cluster.processes} ÷ 1 |`,
    "| --- | ---: | ---: | ---: |",
  ];
  for (const row of cluster.fanOut) {
    const load = row.documents === 1 ? `${row.editorsPerDocument} editors on one document` : `${row.documents} documents × ${row.editorsPerDocument} editors`;
    const rounds = row.single.roundsP99 ? ` (${row.single.roundsP99.length} rounds pooled)` : "";
    lines.push(
      `| fan-out p50 / p99 ms, ${load}${rounds} | ${number(row.single.latency.p50, 2)} / ${number(row.single.latency.p99, 2)} | ${number(row.cluster.latency.p50, 2)} / ${number(row.cluster.latency.p99, 2)} | ${ratio(row.cluster.latency.p50, row.single.latency.p50)} / **${number(row.p99Ratio, 2)}** |`,
    );
    if (row.single.roundsP99 && row.cluster.roundsP99) {
      lines.push(`| rounds p99 ms, ${load} | ${row.single.roundsP99.map((p99) => number(p99, 2)).join(", ")} | ${row.cluster.roundsP99.map((p99) => number(p99, 2)).join(", ")} | |`);
    }
    lines.push(
      `| delivered, ${load} | ${number(row.single.deliveredShare * 100, 2)}% | ${number(row.cluster.deliveredShare * 100, 2)}% | |`,
      `| acknowledged (saved) p50 / p99 ms, ${load} | ${number(row.single.acknowledgement.p50, 1)} / ${number(row.single.acknowledgement.p99, 1)} | ${number(row.cluster.acknowledgement.p50, 1)} / ${number(row.cluster.acknowledgement.p99, 1)} | ${ratio(row.cluster.acknowledgement.p99, row.single.acknowledgement.p99)} |`,
      `| server CPU % (processes summed) + PostgreSQL backends, ${load} | ${number(row.single.serverCpuPercent)} + ${number(row.single.databaseCpuPercent)} | ${number(row.cluster.serverCpuPercent)} + ${number(row.cluster.databaseCpuPercent)} | ${ratio(row.cluster.serverCpuPercent ?? 0, row.single.serverCpuPercent ?? undefined)} |`,
    );
  }
  if (cluster.saturation) {
    const { single, cluster: many } = cluster.saturation;
    lines.push(
      `| keystrokes /s sustained, one document, ${single.editors} editors | ${number(single.sustainedPerSecond, 0)} | ${number(many.sustainedPerSecond, 0)} | ${ratio(many.sustainedPerSecond, single.sustainedPerSecond)} |`,
    );
  }
  if (cluster.kills) {
    const kills = cluster.kills;
    lines.push(
      `| kill -9 of one process in turn (${kills.kills} kills, ${kills.editors} editors at ${kills.ratePerEditor} keystrokes /s): acknowledged keystrokes lost | | **${kills.lost.toLocaleString("en-NZ")} of ${kills.acknowledgedAtKills.toLocaleString("en-NZ")}** (${kills.killsWithLoss} kills with a loss; converged at the end: ${kills.convergedAtEnd ? "yes" : "no"}) | |`,
      `| restart after kill -9, mean / max ms | | ${number(kills.restartMs.mean, 0)} / ${number(kills.restartMs.max, 0)} | |`,
    );
  }
  lines.push(
    "",
    `Through Redis per keystroke, over the ${cluster.processes}-process windows (messages by kind from a subscription to \`collab:*\`; bytes from Redis's own counters, the benchmark's subscription taken out):`,
    "",
    "| load | keystrokes | messages published | updates | presence | \"committed\" | payload bytes | bytes per update message | bytes into Redis | bytes out of Redis |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const row of cluster.fanOut) {
    const redis = row.redis;
    const load = row.documents === 1 ? `${row.editorsPerDocument} editors on one document` : `${row.documents} documents × ${row.editorsPerDocument} editors`;
    lines.push(
      `| ${load} | ${redis.keystrokes.toLocaleString("en-NZ")} | ${number(redis.messagesPerKeystroke, 3)} | ${number(redis.updatesPerKeystroke, 3)} | ${number(redis.awarenessPerKeystroke, 3)} | ${number(redis.committedPerKeystroke, 3)} | ${number(redis.payloadBytesPerKeystroke, 1)} | ${number(redis.updateBytesPerMessage, 1)} | ${number(redis.netInputBytesPerKeystroke, 1)} | ${number(redis.netOutputBytesPerKeystroke, 1)} |`,
    );
  }
  if (cluster.kills && cluster.kills.lossSamples.length > 0) {
    lines.push("", `Losses to look into: ${JSON.stringify(cluster.kills.lossSamples)}`);
  }
  lines.push("");
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const lines: string[] = [];
  lines.push(
    `Run on ${machine.date}: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}` +
      (machine.postgres ? `, ${machine.postgres}` : "") +
      `; \`${machine.command}\` took ${number(results.durationSeconds / 60, 1)} minutes. Load generator, servers and PostgreSQL share the machine (loopback).` +
      (machine.noise ? ` **With a competing CPU load** (BENCH_NOISE=1: ${machine.noise}).` : ""),
    "",
  );

  lines.push(results.cluster ? "### Targets (issues 8 and 20)" : "### Targets (issue 8)", "", "| target | server | measured | |", "| --- | --- | --- | --- |");
  for (const check of results.targets) lines.push(`| ${check.target} | ${label(check.server)} | ${check.measured} | ${yesNo(check.met)} |`);
  lines.push("", ...renderSideBySide(results));
  if (results.cluster) lines.push(...renderCluster(results.cluster));

  if (results.fanOut.length > 0) {
    lines.push(
      "### Fan-out while typing (5 keystrokes a second per editor)",
      "",
      "Latency from a keystroke leaving its editor to its arrival at every other client of the document. " +
        "Acknowledged: ours after the commit (\"saved\"); the references when applied in memory.",
      "",
      "| load | server | keystrokes /s | delivered | p50 ms | p95 ms | p99 ms | max ms | p99 vs y-websocket | p99 vs Hocuspocus | ack p50 ms | ack p99 ms | server CPU % | PostgreSQL CPU % | generator CPU % | RSS MiB |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of results.fanOut) {
      const same = (key: TargetKey) =>
        results.fanOut.find((other) => other.target === key && other.documents === row.documents && other.editorsPerDocument === row.editorsPerDocument);
      lines.push(
        `| ${fanOutName(row)} | ${label(row.target)} | ${number(row.keystrokesPerSecond)} | ${number(row.deliveredShare * 100, 2)}% | ${number(row.latency.p50, 2)} | ${number(row.latency.p95, 2)} | ${number(row.latency.p99, 2)} | ${number(row.latency.max, 1)} | ${ratio(row.latency.p99, same("y-websocket")?.latency.p99)} | ${ratio(row.latency.p99, same("hocuspocus")?.latency.p99)} | ${number(row.acknowledgement.p50, 1)} | ${number(row.acknowledgement.p99, 1)} | ${number(row.serverCpuPercent)} | ${number(row.databaseCpuPercent)} | ${number(row.generatorCpuPercent)} | ${number(row.serverRssMiB)} |`,
      );
    }
    lines.push("");
  }

  if (results.saturation.length > 0) {
    lines.push(
      "### Updates per second sustained (one document, stages of rising total typing rate)",
      "",
      "| server | editors | sustained keystrokes /s | stages (offered /s: delivered, fan-out p99 ms, acknowledgement p99 ms, server CPU %, generator CPU %) |",
      "| --- | ---: | ---: | --- |",
    );
    for (const row of results.saturation) {
      const stages = row.stages
        .map(
          (stage) =>
            `${stage.offeredPerSecond}: ${number(stage.deliveredShare * 100, 1)}%, ${number(stage.latency.p99, 1)}, ${number(stage.acknowledgement.p99, 1)}, ${number(stage.serverCpuPercent, 0)}, ${number(stage.generatorCpuPercent, 0)}`,
        )
        .join("; ");
      lines.push(`| ${label(row.target)} | ${row.editors} | ${number(row.sustainedPerSecond, 0)} | ${stages} |`);
    }
    lines.push("");
  }

  if (results.firstSync.length > 0) {
    lines.push(
      "### Time to first sync of a document with a long typing history",
      "",
      "| server | history | document | state bytes | first sync ms |",
      "| --- | --- | --- | ---: | ---: |",
    );
    for (const row of results.firstSync) {
      lines.push(
        `| ${label(row.target)} | ${row.updates.toLocaleString("en-NZ")} keystrokes, ${row.typing === "realistic" ? "realistic typing" : "random positions"} | ${row.state}${row.samplesMs ? ` (median of ${row.samplesMs.length}: ${row.samplesMs.map(number).join(", ")})` : ""} | ${row.stateBytes.toLocaleString("en-NZ")} | ${number(row.firstSyncMs)} |`,
      );
    }
    lines.push("");
  }

  if (results.writeAmplification.length > 0) {
    lines.push(
      "### Writes to PostgreSQL for continuous typing (50 editors, one document of about 20k characters)",
      "",
      "Counted from the WAL between a quiet moment before and after (deferred writes included): our database's records and writing transactions (pg_walinspect); " +
        "the cluster column is everything PostgreSQL wrote meanwhile, the kill -9 rounds' databases and other users' included.",
      "",
      "| server | stores | typing s | Yjs update bytes | transactions | transactions /s | per 50 ms | WAL bytes (our database) | WAL bytes (cluster) | WAL per update byte | WAL bytes /s |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of results.writeAmplification) {
      lines.push(
        `| ${label(row.target)} | ${row.storing} | ${number(row.typingSeconds)} | ${row.updateBytes.toLocaleString("en-NZ")} | ${row.transactions} | ${number(row.transactionsPerSecond)} | ${number(row.transactionsPer50ms, 2)} | ${row.walBytesOurDatabase?.toLocaleString("en-NZ") ?? "–"} | ${row.walBytesCluster.toLocaleString("en-NZ")} | ${number(row.walPerUpdateByte, 2)}× | ${number(row.walBytesPerSecond, 0)} |`,
      );
    }
    lines.push("");
  }

  if (results.connections.length > 0) {
    lines.push(
      "### Connections held by one process (idle, 10 per document, while a 10-editor probe document types)",
      "",
      "| server | Yjs connections | Socket.io connections | heap MiB | RSS MiB | probe p99 ms | server CPU % | open /s |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of results.connections) {
      for (const step of row.steps) {
        const added = step.socketIoConnections > 0 ? step.socketIoConnections : step.yjsConnections - (row.steps[row.steps.indexOf(step) - 1]?.yjsConnections ?? 0);
        lines.push(
          `| ${label(row.target)} | ${step.yjsConnections.toLocaleString("en-NZ")} | ${step.socketIoConnections.toLocaleString("en-NZ")} | ${number(step.heapUsedMiB)} | ${number(step.rssMiB)} | ${number(step.probe.p99, 2)} | ${number(step.serverCpuPercent)} | ${step.openMs > 0 ? number((added / step.openMs) * 1000, 0) : "–"} |`,
        );
      }
    }
    lines.push(
      "",
      "| server | most connections held with probe p99 < 100 ms | heap per idle connection KiB | RSS per idle connection KiB | heap after closing all MiB (baseline) |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    for (const row of results.connections) {
      const largest = Math.max(...row.steps.map((step) => step.yjsConnections + step.socketIoConnections));
      const held = row.largestHeldUnder100ms.toLocaleString("en-NZ");
      lines.push(
        `| ${label(row.target)} | ${row.largestHeldUnder100ms === largest ? `≥ ${held} (the most tried)` : held} | ${number(row.heapPerConnectionKiB, 2)} | ${number(row.rssPerConnectionKiB, 2)} | ${number(row.afterClose.heapUsedMiB)} (${number(row.baseline.heapUsedMiB)}) |`,
      );
    }
    lines.push("");
  }

  if (results.documentCycles.length > 0) {
    lines.push(
      "### Opening and closing documents (one connection each): heap after a full GC",
      "",
      "| server | documents × cycles | heap per loaded document KiB (connection included) | opened /s | heap back to start within | with failing stores | curve: heap MiB at start → each cycle's loaded peak / after closing |",
      "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    );
    for (const row of results.documentCycles) {
      const curve = [row.points[0]!, ...row.points.filter((point) => point.phase === "closed" || point.loadedDocuments === row.documents)]
        .map((point) => `${point.stores === "failing" ? "✗" : ""}${number(point.heapUsedMiB, 1)}`)
        .join(" → ");
      lines.push(
        `| ${label(row.target)} | ${row.documents.toLocaleString("en-NZ")} × ${row.cycles} | ${number(row.heapPerLoadedDocumentKiB, 2)} | ${number(row.openPerSecond, 0)} | ${number(row.heapReturnPercent, 2)}% | ${row.failingStoresHeapReturnPercent === null ? "–" : `${number(row.failingStoresHeapReturnPercent, 2)}%`} | ${curve} |`,
      );
    }
    lines.push("", "(✗: the cycle in which every write to the update log failed.)", "");
    const split = results.documentCycles.flatMap((cycles) => {
      const connections = results.connections.find((row) => row.target === cycles.target);
      if (!connections || connections.heapPerConnectionKiB === 0) return [];
      // Idle connections shared documents (n each): per connection c + d / n; one each: c + d.
      const n = connections.perDocument;
      const document = ((cycles.heapPerLoadedDocumentKiB - connections.heapPerConnectionKiB) * n) / (n - 1);
      return [{ target: cycles.target, connection: cycles.heapPerLoadedDocumentKiB - document, document }];
    });
    if (split.length > 0) {
      lines.push(
        "Memory per idle document and per idle connection, heap KiB (solved from the two runs above: connections sharing documents, and one connection per document):",
        "",
        "| server | per idle connection | per idle loaded document (without its connections) |",
        "| --- | ---: | ---: |",
        ...split.map((row) => `| ${label(row.target)} | ${number(row.connection, 2)} | ${number(row.document, 2)} |`),
        "",
      );
    }
  }

  if (results.durability.length > 0) {
    lines.push(
      "### kill -9 while editors type (5 editors × 20 keystrokes /s; the stored state read before any old client reconnects)",
      "",
      "| server | kills | acknowledged keystrokes checked | lost | kills with loss | unacknowledged at kill (resent later) | all typing stored at the end | restart ms (mean) |",
      "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    );
    for (const row of results.durability) {
      lines.push(
        `| ${label(row.target)} | ${row.kills} | ${row.acknowledgedAtKills.toLocaleString("en-NZ")} | ${row.lost.toLocaleString("en-NZ")} (${number(row.lostShare * 100, 1)}%) | ${row.killsWithLoss} | ${row.unacknowledgedAtKills.toLocaleString("en-NZ")} | ${row.convergedAtEnd ? "yes" : "no"} | ${number(row.restartMs.mean, 0)} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** The headline figures, one column per server (the table README shows). */
function renderSideBySide(results: BenchResults): string[] {
  const servers = [...ours, ...references].filter((key) =>
    [results.fanOut, results.firstSync, results.connections, results.documentCycles, results.durability].some((rows) => rows.some((row) => row.target === key)),
  );
  if (servers.length === 0) return [];
  const lines = ["### Side by side", "", `| | ${servers.map(label).join(" | ")} |`, `| --- |${servers.map(() => " ---: |").join("")}`];
  const row = (name: string, cell: (key: TargetKey) => string) => {
    const cells = servers.map(cell);
    if (cells.some((value) => value !== "–")) lines.push(`| ${name} | ${cells.join(" | ")} |`);
  };
  const oneDocument = (key: TargetKey, editors: number) =>
    results.fanOut.find((fanOut) => fanOut.target === key && fanOut.documents === 1 && fanOut.editorsPerDocument === editors);
  const sizes = [...new Set(results.fanOut.filter((fanOut) => fanOut.documents === 1).map((fanOut) => fanOut.editorsPerDocument))];
  for (const editors of sizes) {
    const rounds = oneDocument(servers[0]!, editors)?.roundsP99?.length;
    row(`fan-out p50 / p99 ms, ${editors} editors${rounds ? ` (${rounds} rounds pooled)` : ""}`, (key) => {
      const fanOut = oneDocument(key, editors);
      return fanOut ? `${number(fanOut.latency.p50, 2)} / ${number(fanOut.latency.p99, 2)}` : "–";
    });
    if (editors === 50) {
      row("p99 ratio to @y/websocket-server / Hocuspocus, 50 editors", (key) => {
        const fanOut = oneDocument(key, 50);
        return fanOut ? references.map((reference) => ratio(fanOut.latency.p99, oneDocument(reference, 50)?.latency.p99)).join(" / ") : "–";
      });
      row("rounds p99 ms, 50 editors", (key) => oneDocument(key, 50)?.roundsP99?.map((p99) => number(p99, 2)).join(", ") ?? "–");
      row("acknowledged p50 / p99 ms, 50 editors (ours: saved after the commit)", (key) => {
        const fanOut = oneDocument(key, 50);
        return fanOut ? `${number(fanOut.acknowledgement.p50, 2)} / ${number(fanOut.acknowledgement.p99, 2)}` : "–";
      });
    }
    row(`server CPU %, ${editors} editors`, (key) => number(oneDocument(key, editors)?.serverCpuPercent));
  }
  for (const many of results.fanOut.filter((fanOut) => fanOut.documents > 1 && fanOut.target === results.fanOut.find((other) => other.documents > 1)?.target)) {
    row(`fan-out p50 / p99 ms, ${many.documents} documents × ${many.editorsPerDocument} editors`, (key) => {
      const fanOut = results.fanOut.find((other) => other.target === key && other.documents === many.documents);
      return fanOut ? `${number(fanOut.latency.p50, 2)} / ${number(fanOut.latency.p99, 2)}` : "–";
    });
  }
  row("keystrokes /s sustained, one document", (key) => number(results.saturation.find((saturation) => saturation.target === key)?.sustainedPerSecond, 0));
  for (const typing of ["realistic", "random"] as const) {
    const firstSync = (key: TargetKey, state: string) =>
      results.firstSync.find((sync) => sync.target === key && sync.typing === typing && sync.state === state)?.firstSyncMs;
    const updates = results.firstSync.find((sync) => sync.typing === typing)?.updates;
    if (updates === undefined) continue;
    row(`first sync ms, ${updates.toLocaleString("en-NZ")} keystrokes${typing === "random" ? " at random positions" : ""}: log / snapshot / loaded`, (key) =>
      results.firstSync.some((sync) => sync.target === key)
        ? `${number(firstSync(key, "cold, log"))} / ${number(firstSync(key, "cold, snapshot"))} / ${number(firstSync(key, "warm"))}`
        : "–",
    );
  }
  row("RSS MiB, 5,000 Yjs + 5,000 Socket.io connections", (key) => {
    const combined = results.connections.find((connections) => connections.target === key)?.steps.find((step) => step.socketIoConnections > 0);
    return combined ? number(combined.rssMiB) : "–";
  });
  row("heap after closing every document, against the start", (key) => {
    const cycles = results.documentCycles.find((row) => row.target === key);
    if (!cycles) return "–";
    const start = cycles.points[0]!.heapUsedMiB;
    const furthest = cycles.points
      .filter((point) => point.phase === "closed" && point.stores === "working")
      .map((point) => (point.heapUsedMiB - start) / start)
      .reduce((most, change) => (Math.abs(change) > Math.abs(most) ? change : most), 0);
    return `${furthest >= 0 ? "+" : "−"}${number(Math.abs(furthest) * 100, 2)}%`;
  });
  row("documents opened a second (one connection each)", (key) => number(results.documentCycles.find((cycles) => cycles.target === key)?.openPerSecond, 0));
  row("most connections held with probe p99 < 100 ms", (key) => {
    const connections = results.connections.find((row) => row.target === key);
    if (!connections) return "–";
    const largest = Math.max(...connections.steps.map((step) => step.yjsConnections + step.socketIoConnections));
    return `${connections.largestHeldUnder100ms === largest ? "≥ " : ""}${connections.largestHeldUnder100ms.toLocaleString("en-NZ")}`;
  });
  row("kill -9: acknowledged keystrokes lost", (key) => {
    const durability = results.durability.find((row) => row.target === key);
    return durability
      ? `${durability.lost.toLocaleString("en-NZ")} of ${durability.acknowledgedAtKills.toLocaleString("en-NZ")} (${durability.kills} kills)`
      : "–";
  });
  row("restart after kill -9, mean ms", (key) => number(results.durability.find((row) => row.target === key)?.restartMs.mean, 0));
  lines.push("");
  if (results.writeAmplification.length > 0) {
    lines.push(
      "Writes for continuous typing (50 editors, a document of about 20k characters), from the WAL of the benchmark's database:",
      "",
      "| server, how it stores | WAL bytes per byte typed | transactions per 50 ms |",
      "| --- | ---: | ---: |",
      ...results.writeAmplification.map(
        (writes) =>
          `| ${writes.target === "hocuspocus-store" ? "Hocuspocus" : "ours"}: ${writes.storing} | ${number(writes.walPerUpdateByte, 2)}× | ${number(writes.transactionsPer50ms, 2)} |`,
      ),
      "",
    );
  }
  return lines;
}
