import { sql } from "kysely";
import { beforeAll, expect, it } from "vitest";
import { recordAudit } from "../../../app/models/audit.server.js";
import { describeEachDatabase } from "../../support/database.js";

describeEachDatabase("the audit log", (getDb) => {
  beforeAll(async () => {
    await recordAudit(getDb(), { actorId: null, actorLabel: "test", action: "test.recorded", details: { note: "kept" } });
  });

  it("accepts new entries", async () => {
    const rows = await getDb().selectFrom("audit_log").select(["action", "details"]).execute();
    expect(rows).toEqual([{ action: "test.recorded", details: { note: "kept" } }]);
  });

  it("refuses to UPDATE an entry at the database", async () => {
    await expect(getDb().updateTable("audit_log").set({ action: "test.rewritten" }).execute()).rejects.toThrow(
      /audit_log is append-only/,
    );
  });

  it("refuses to DELETE an entry at the database", async () => {
    await expect(getDb().deleteFrom("audit_log").execute()).rejects.toThrow(/audit_log is append-only/);
  });

  it("refuses to TRUNCATE the table at the database", async () => {
    await expect(sql`truncate audit_log`.execute(getDb())).rejects.toThrow(/audit_log is append-only/);
  });

  it("still holds the entry after the refused changes", async () => {
    const rows = await getDb().selectFrom("audit_log").select(["action"]).execute();
    expect(rows).toEqual([{ action: "test.recorded" }]);
  });
});
