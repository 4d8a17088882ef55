/**
 * What a fuzz suite found: how many cases it sent, which crashed the process, which were answered
 * with a 5xx, which got another answer than expected, and the server's RSS before and after.
 * `npm run fuzz` (test/fuzz/run.ts) sets FUZZ_REPORT to a file; each suite appends its tally there
 * as one JSON line, and the runner prints them. `npm test` asserts on the failures only, never on
 * timing or memory.
 */
import fs from "node:fs";

export interface SuiteReport {
  suite: string;
  /** Malformed inputs sent, by kind ("raw HTTP", "collab upgrade", "sync message" …). */
  counts: Record<string, number>;
  crashes: string[];
  /** Answers with a 5xx status the client saw. */
  serverErrorAnswers: number;
  /** Requests the server's own log recorded with a 5xx status. */
  serverErrorsLogged: number;
  failures: string[];
  rssBefore?: number;
  rssAfter?: number;
  /** RSS measured around a phase of its own (the 10,000 malformed /collab connections). */
  phases: { name: string; rssBefore: number; rssAfter: number }[];
  durationMs: number;
}

export class FuzzTally {
  readonly counts: Record<string, number> = {};
  readonly crashes: string[] = [];
  readonly failures: string[] = [];
  readonly phases: SuiteReport["phases"] = [];
  serverErrorAnswers = 0;
  serverErrorsLogged = 0;
  rssBefore: number | undefined;
  rssAfter: number | undefined;
  private readonly started = Date.now();

  constructor(readonly suite: string) {}

  count(kind: string, by = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + by;
  }

  get total(): number {
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0);
  }

  /** A case that got the wrong answer: "<case> → <what happened> (expected <what>)". */
  fail(caseName: string, answer: string, expected?: string): void {
    this.failures.push(`${caseName} → ${answer}${expected ? ` (expected ${expected})` : ""}`);
  }

  crash(caseName: string, reason: string): void {
    this.crashes.push(`${caseName} → ${reason}`);
    this.fail(caseName, `process ${reason}`);
  }

  report(): SuiteReport {
    return {
      suite: this.suite,
      counts: this.counts,
      crashes: this.crashes,
      serverErrorAnswers: this.serverErrorAnswers,
      serverErrorsLogged: this.serverErrorsLogged,
      failures: this.failures,
      ...(this.rssBefore !== undefined ? { rssBefore: this.rssBefore } : {}),
      ...(this.rssAfter !== undefined ? { rssAfter: this.rssAfter } : {}),
      phases: this.phases,
      durationMs: Date.now() - this.started,
    };
  }

  /** Appends this suite's report to FUZZ_REPORT, when `npm run fuzz` asked for one. */
  write(): void {
    const file = process.env.FUZZ_REPORT;
    if (file) fs.appendFileSync(file, `${JSON.stringify(this.report())}\n`);
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
