/**
 * One way to type a date in every form: day month year as the tables show it ("8 December 2026"),
 * and 8/12/2026 (day first) and 2026-12-08 too; a day that does not exist is the field's message.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { openConsultationSchema } from "../../../app/documents/schemas.js";
import { parseNzDate } from "../../../app/utils/dates.js";

describe("parseNzDate", () => {
  it("reads day month year, day/month/year and ISO dates as the same day", () => {
    for (const text of ["8 December 2026", "8 Dec 2026", "Tuesday 8 December 2026", " 08 december 2026 ", "8/12/2026", "08.12.2026", "2026-12-08"]) {
      expect(parseNzDate(text), text).toBe("2026-12-08");
    }
    expect(parseNzDate("29 February 2028")).toBe("2028-02-29");
  });

  it("refuses days that do not exist and words that are not dates", () => {
    for (const text of ["31 February 2026", "29 Feb 2027", "13/13/2026", "12/31/2026", "2026-02-30", "next Tuesday", "", "8 Decembre 2026"]) {
      expect(parseNzDate(text), text).toBeNull();
    }
  });
});

describe("the consultation's last day for comments", () => {
  const submit = (closesOn: string) => {
    const form = new FormData();
    form.set("intent", "open");
    form.append("consulteeId", "00000000-0000-4000-8000-000000000000");
    form.set("closesOn", closesOn);
    form.set("brief", "Kia ora, we would value your view.");
    return parseWithZod(form, { schema: openConsultationSchema });
  };

  it("takes 8 December 2026 as the journeys' ISO dates are taken", () => {
    for (const text of ["8 December 2026", "8/12/2026", "2026-12-08"]) {
      const result = submit(text);
      expect(result.status, text).toBe("success");
      if (result.status === "success") expect(result.value.closesOn).toBe("2026-12-08");
    }
  });

  it("answers a date that does not exist with the field's message", () => {
    const result = submit("31 February 2026");
    expect(result.status).toBe("error");
    expect(result.reply().error?.closesOn).toEqual(["Enter the last day for comments, like 8 December 2026"]);
  });
});
