/**
 * The new words of an email reply, as the mail programs people use write them: Gmail's and Apple
 * Mail's "On … wrote:", Outlook's header block and "Original Message", "-- " signatures, phones'
 * "Sent from my …", and ">" quotes anywhere.
 */
import { describe, expect, it } from "vitest";
import { replyText } from "../../../server/email/reply-text.js";

describe("the words of an email reply", () => {
  it.each([
    ["Gmail", "Kia ora, fortnightly suits us.\r\n\r\nOn Mon, 7 Dec 2026 at 10:02, Rāwiri Te Awa <secretary@example.org> wrote:\r\n> Shall we meet fortnightly?\r\n> Ngā mihi\r\n", "Kia ora, fortnightly suits us."],
    ["an attribution split over two lines", "Yes.\n\nOn Mon, 7 Dec 2026 at 10:02, Rāwiri Te Awa <secretary@example.org>\nwrote:\n\n> Shall we?\n", "Yes."],
    ["a signature", "Agreed.\n\n-- \nAroha Ngata\nTe Puni Kōkiri\n", "Agreed."],
    ["a signature without its space", "Agreed.\n--\nAroha\n", "Agreed."],
    ["Outlook's header block", "Works for me.\n\n________________________________\nFrom: Rāwiri Te Awa <secretary@example.org>\nSent: Monday, 7 December 2026 10:02 AM\nTo: Aroha\nSubject: RE: thread\n\nShall we?\n", "Works for me."],
    ["Outlook's header block without a rule", "Works for me.\n\nFrom: Rāwiri Te Awa\nSent: Monday, 7 December 2026\nSubject: RE: thread\n\nShall we?\n", "Works for me."],
    ["Original Message", "Fine.\n\n-----Original Message-----\nFrom: someone\nShall we?\n", "Fine."],
    ["a phone", "Ka pai\n\nSent from my iPhone\n\n> On 7 Dec 2026, at 10:02, Rāwiri wrote:\n", "Ka pai"],
    ["answers between quotes", "> Shall we meet fortnightly?\nYes.\n> And monthly reports?\nQuarterly.\n", "Yes.\nQuarterly."],
    ["only a quote", "On Mon, 7 Dec 2026, Rāwiri wrote:\n> Noted.\n", ""],
    ["nothing but space", " \n\t\n", ""],
  ])("keeps only the new words from %s", (_name, text, expected) => {
    expect(replyText(text)).toBe(expected);
  });

  it("keeps a line that merely mentions someone writing, and a From: in the middle of a sentence", () => {
    expect(replyText("Once upon a time she wrote: hello\nFrom: the minutes, item 3\nthat is what we agreed.")).toBe(
      "Once upon a time she wrote: hello\nFrom: the minutes, item 3\nthat is what we agreed.",
    );
  });
});
