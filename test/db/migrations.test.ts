import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createMigrator } from "../../db/migrate.js";
import { migrations } from "../../db/migrations/index.js";
import { databaseTargets, openTestDatabase, withPostgresSchemaLock } from "../support/database.js";

for (const target of databaseTargets()) {
  describe(`migrations [${target}]`, () => {
    it("apply from empty, roll all the way down and apply again", async () => {
      const handle = await openTestDatabase(target);
      // Rolling a whole schema down and up changes the catalogue other test files read.
      const exclusive = <T,>(work: () => Promise<T>) => (target === "postgres" ? withPostgresSchemaLock(work) : work());
      try {
        await exclusive(async () => {
        const migrator = await createMigrator(handle.db);
        const applied = (await migrator.getMigrations()).filter((m) => m.executedAt);
        expect(applied.length).toBeGreaterThan(0);
        for (let i = 0; i < applied.length; i++) {
          const { error } = await migrator.migrateDown();
          expect(error).toBeUndefined();
        }
        const tables = await sql<{ n: number }>`
          select count(*)::int as n from information_schema.tables
          where table_schema = current_schema() and table_name not like 'kysely_%'`.execute(handle.db);
        expect(tables.rows[0]?.n).toBe(0);
        const again = await migrator.migrateToLatest();
        expect(again.error).toBeUndefined();
        expect(again.results?.length).toBe(applied.length);
        });
      } finally {
        await handle.close();
      }
    });

    it("name migrations with sortable timestamps", async () => {
      const handle = await openTestDatabase(target);
      try {
        const names = (await (await createMigrator(handle.db)).getMigrations()).map((m) => m.name);
        expect(names).toEqual([...names].sort());
        for (const name of names) expect(name).toMatch(/^\d{8}T\d{4}_[a-z0-9_]+$/);
      } finally {
        await handle.close();
      }
    });
  });
}

describe("the list of migrations", () => {
  it("names every migration file in db/migrations, in order, and nothing else", () => {
    const folder = path.join(import.meta.dirname, "..", "..", "db", "migrations");
    const files = fs
      .readdirSync(folder)
      .filter((file) => file !== "index.ts")
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});
