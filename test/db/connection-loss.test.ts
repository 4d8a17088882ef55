/**
 * PostgreSQL ending a session (a restart, a failover, an administrator) while the server holds it
 * in a transaction: the transaction fails, the process carries on, and the next query works on a
 * fresh connection. (PGlite runs in the process: there is no connection to lose.)
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, connectDatabase } from "../../db/connect.js";

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("losing a PostgreSQL connection [postgres]", () => {
  let database: DatabaseHandle;
  let administrator: DatabaseHandle;

  beforeAll(async () => {
    database = await connectDatabase({ databaseUrl: url!, maxConnections: 2 });
    administrator = await connectDatabase({ databaseUrl: url!, maxConnections: 1 });
  });

  afterAll(async () => {
    await database.close();
    await administrator.close();
  });

  it("fails the transaction whose session was ended between two statements, without crashing, and answers the next query", async () => {
    const ended = database.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(administrator.db);
      // The client learns of it while no statement is running: an 'error' event nobody else hears.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 1`.execute(trx);
    });
    await expect(ended).rejects.toThrow();
    const { rows } = await sql<{ answer: number }>`select 42 as answer`.execute(database.db);
    expect(rows[0]!.answer).toBe(42);
  });
});
