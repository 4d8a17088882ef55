/** Follows a child process that tests started: what it has written so far, and when it exits. */
import type { ChildProcess } from "node:child_process";

/** `output()` is all the child has written to stdout and stderr so far; `exited` its exit code. */
export function followChild(child: ChildProcess): { exited: Promise<number | null>; output: () => { stdout: string; stderr: string } } {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { exited, output: () => ({ stdout, stderr }) };
}
