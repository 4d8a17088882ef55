/**
 * The conflict-of-interest line the minute page (and its print view), the live meeting's panel and
 * the Word minute all print: one function, so a full stop typed by the secretary is never doubled.
 */
import { describe, expect, it } from "vitest";
import { conflictLine } from "../../../app/meetings/conflict-line.js";

const declared = {
  name: "Priya Naidu",
  organisation: "Hapori Hauora Community Trust",
  itemPosition: 5,
  itemTitle: "Draft terms of reference",
  interest: "Trustee of a provider the approach names",
  management: "Took part in the discussion but not the decision",
};

describe("the conflict-of-interest line", () => {
  it("names who, their organisation and the item, then the interest and how it was managed, as sentences", () => {
    const line = conflictLine(declared);
    expect(line.who).toBe("Priya Naidu, Hapori Hauora Community Trust");
    expect(`${line.who}${line.details}`).toBe(
      "Priya Naidu, Hapori Hauora Community Trust (item 5: Draft terms of reference): Trustee of a provider the approach names. Managed: Took part in the discussion but not the decision.",
    );
  });

  it("never doubles a full stop (or follows ! or ?) that was typed", () => {
    const line = conflictLine({ ...declared, interest: "Advises on the approach.", management: "Left the room!" });
    expect(line.details).toBe(" (item 5: Draft terms of reference): Advises on the approach. Managed: Left the room!");
    expect(line.details).not.toContain("..");
  });

  it("leaves out what is not known: the organisation and the item", () => {
    const line = conflictLine({ ...declared, organisation: null, itemPosition: null, itemTitle: null, interest: "Whānau member employed by a provider  " });
    expect(`${line.who}${line.details}`).toBe("Priya Naidu: Whānau member employed by a provider. Managed: Took part in the discussion but not the decision.");
  });
});
