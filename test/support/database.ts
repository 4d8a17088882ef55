/**
 * Database targets for tests: PGlite (in memory) always, and PostgreSQL too when
 * TEST_DATABASE_URL is set. Each test file gets its own fresh schema on PostgreSQL, migrated.
 *
 *   describeEachDatabase("memberships", (getDb) => { it("…", async () => { const db = getDb(); … }) })
 */
import crypto from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { getConstructionPlans } from "pg-boss";
import { afterAll, beforeAll, describe } from "vitest";
import { type DatabaseHandle, connectDatabase } from "../../db/connect.js";
import type { Database } from "../../db/database.js";
import { migrateToLatest } from "../../db/migrate.js";

export type DatabaseTarget = "pglite" | "postgres";

export function databaseTargets(): DatabaseTarget[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/** Opens a fresh, migrated database of the given kind; `close` also drops the test schema. */
export async function openTestDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target === "pglite") {
    const handle = await connectDatabase({ dataDir: null });
    await migrateToLatest(handle.db);
    return handle;
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `test_${crypto.randomBytes(6).toString("hex")}`;
  return withPostgresSchemaLock(async () => {
    const admin = await connectDatabase({ databaseUrl: url, maxConnections: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    await admin.close();
    const handle = await connectDatabase({ databaseUrl: url, searchPath: `${schema},public` });
    await migrateToLatest(handle.db);
    // The job queue's schema too (server/jobs/job-queue.ts), here under the lock: pg-boss creating
    // it later, beside another file's migration, would be the very race the lock is for.
    await sql.raw(getConstructionPlans(`${schema}_jobs`)).execute(handle.db);
    return {
      ...handle,
      close: async () => {
        await withPostgresSchemaLock(async () => {
          await sql`drop schema ${sql.id(schema)} cascade`.execute(handle.db);
          // The job queue's tables beside it.
          await sql`drop schema if exists ${sql.id(`${schema}_jobs`)} cascade`.execute(handle.db);
        });
        await handle.close();
      },
    };
  });
}

/**
 * Test files run in parallel, each in its own schema of one database. Kysely's migrator reads the
 * catalogue of every schema, and that read fails when another file changes its schema at the same
 * moment ("column … does not exist", "schema … does not exist"). Schema changes from tests
 * therefore take turns under one advisory lock. (Production has one schema and one migrator.)
 */
export async function withPostgresSchemaLock<T>(work: () => Promise<T>): Promise<T> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(20261123)");
    return await work();
  } finally {
    await client.query("select pg_advisory_unlock(20261123)").catch(() => undefined);
    await client.end();
  }
}

/** Runs the same tests once per database target, each with its own fresh database. */
export function describeEachDatabase(
  name: string,
  body: (getDb: () => Kysely<Database>, getHandle: () => DatabaseHandle) => void,
): void {
  for (const target of databaseTargets()) {
    describe(`${name} [${target}]`, () => {
      let handle: DatabaseHandle | undefined;
      beforeAll(async () => {
        handle = await openTestDatabase(target);
      });
      afterAll(async () => {
        await handle?.close();
      });
      body(
        () => {
          if (!handle) throw new Error("database not open yet");
          return handle.db;
        },
        () => {
          if (!handle) throw new Error("database not open yet");
          return handle;
        },
      );
    });
  }
}
