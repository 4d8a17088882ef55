/**
 * The order the browser test files run in. They share one server and its one demo group, and the
 * page crawl (phone-width.e2e.ts) checks pages that only have something to show once the journeys
 * have made it (a saved version, a submission and its approval, a closed consultation, confirmed
 * minutes). Vitest's own order depends on earlier timings, so this sorts by file name and puts the
 * crawl last: the same order on every machine and every run.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const runLast = ["phone-width.e2e.ts"];

function rank(specification: TestSpecification): number {
  const index = runLast.findIndex((name) => specification.moduleId.endsWith(`/${name}`));
  return index === -1 ? -1 : index;
}

export default class BrowserTestSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}
