/**
 * Records which Node.js ran a test suite, for `.ci/run`: it sets TEST_RUNTIME_FILE for each suite
 * and fails the run when a suite ran on another major version than the project's own Node
 * (the `node` dev dependency). Without the variable this does nothing.
 */
import fs from "node:fs";
import path from "node:path";

export function recordRuntime(): void {
  const file = process.env.TEST_RUNTIME_FILE;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${process.version}\n`);
}
