/**
 * The line an exported version (Word and print) carries under its title: what the version is now
 * with the Lead Minister's office, then when it was saved; never the name it was saved with
 * ("Submitted for approval") once it has been decided.
 */
import { describe, expect, it } from "vitest";
import { versionExportLine } from "../../../app/documents/approval-wording.js";

const version = { number: 3, name: "Submitted for approval", savedAt: "Tuesday 8 December 2026, 10:02 am" };

describe("the line under an exported version's title", () => {
  it("says an approved version is approved, when and by whom", () => {
    const line = versionExportLine(version, {
      state: "approved",
      approval: { approvedOn: "2027-03-14T00:30:00.000Z", approvedBy: "the Lead Minister's office (Alex Morgan)", hash: "ab" },
    });
    expect(line).toBe("Version 3: approved on 14 March 2027 by the Lead Minister's office (Alex Morgan). Saved Tuesday 8 December 2026, 10:02 am.");
  });

  it("says a returned, a pending and a withdrawn submission are so, in New Zealand dates", () => {
    expect(versionExportLine(version, { state: "returned", decidedOn: new Date("2027-03-14T11:30:00Z"), decidedBy: "the Lead Minister's office" })).toBe(
      "Version 3: returned on 15 March 2027 by the Lead Minister's office. Saved Tuesday 8 December 2026, 10:02 am.",
    );
    expect(versionExportLine(version, { state: "pending", submittedOn: new Date("2026-12-07T21:00:00Z") })).toBe(
      "Version 3: submitted for approval on 8 December 2026, waiting for the Lead Minister's office. Saved Tuesday 8 December 2026, 10:02 am.",
    );
    expect(versionExportLine(version, { state: "withdrawn", withdrawnOn: new Date("2026-12-09T01:00:00Z") })).not.toContain("Submitted for approval");
  });

  it("keeps the name of a version never submitted", () => {
    expect(versionExportLine({ ...version, name: "Before the hui" }, { state: "none" })).toBe("Version 3: Before the hui. Saved Tuesday 8 December 2026, 10:02 am.");
  });
});
