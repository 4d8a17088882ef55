/**
 * PGlite in its own thread (db/pglite-thread.ts): the server's event loop keeps turning while a
 * statement runs, values and PostgreSQL's error fields cross between the threads intact, one
 * caller at a time holds the connection (a transaction is never interleaved with another
 * statement), and a closed or failed database answers with an error instead of hanging.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, connectDatabase } from "../../db/connect.js";
import { PGliteThread } from "../../db/pglite-thread.js";

describe("PGlite in a worker thread", () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await connectDatabase({ dataDir: null });
    await sql`create table things (id int8 primary key, name text not null unique, born date, at timestamptz, data bytea)`.execute(handle.db);
  });

  afterAll(async () => {
    await handle.close();
  });

  it("keeps the server's event loop turning while a long statement runs", async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const started = performance.now();
    try {
      // Work for PostgreSQL: millions of rows summed. In the server's own thread, no timer could
      // fire until it finished.
      const { rows } = await sql<{ total: number }>`select sum(x)::int8 as total from generate_series(1, 1000000) as x`.execute(handle.db);
      expect(rows[0]!.total).toBe(500_000_500_000);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // Not a timing assertion: whatever the machine, the loop turned while the statement ran.
    expect(elapsed).toBeGreaterThan(0);
    expect(turns).toBeGreaterThan(0);
  });

  it("returns dates as text, int8 as numbers, timestamptz as Date and bytea as bytes, with macrons intact", async () => {
    const at = new Date("2026-12-08T21:30:00.000Z");
    const data = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await handle.db
      .insertInto("things" as never)
      .values({ id: 9_007_199_254_740_000, name: "Whānau Ora hui", born: "2026-12-09", at, data } as never)
      .execute();
    const { rows } = await sql<{ id: number; name: string; born: string; at: Date; data: Uint8Array }>`
      select id, name, born, at, data from things where id = 9007199254740000`.execute(handle.db);
    expect(rows[0]).toEqual({ id: 9_007_199_254_740_000, name: "Whānau Ora hui", born: "2026-12-09", at, data });
    expect(rows[0]!.at).toBeInstanceOf(Date);
    expect(rows[0]!.data).toBeInstanceOf(Uint8Array);
  });

  it("reports how many rows a statement changed", async () => {
    await sql`insert into things (id, name) values (1, 'one'), (2, 'two'), (3, 'three')`.execute(handle.db);
    const result = await handle.db
      .updateTable("things" as never)
      .set({ name: sql`name || '!'` } as never)
      .where(sql<boolean>`id <= 2`)
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });

  it("gives PostgreSQL's error fields to the caller (a unique violation is code 23505 with its constraint)", async () => {
    const error = await sql`insert into things (id, name) values (4, 'one!')`.execute(handle.db).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505", constraint: "things_name_key", table: "things" });
    expect((error as Error).message).toMatch(/duplicate key/);
    // The connection is usable afterwards.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from things`.execute(handle.db);
    expect(rows[0]!.n).toBe(4);
  });

  it("lets no other statement into a transaction, and rolls a failed one back", async () => {
    const order: string[] = [];
    const transaction = handle.db.transaction().execute(async (trx) => {
      order.push("transaction starts");
      await sql`insert into things (id, name) values (10, 'inside')`.execute(trx);
      // Give the statement outside every chance to run now, if it could.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from things where id = 11`.execute(trx);
      order.push(`transaction sees ${rows[0]!.n} outside rows`);
      throw new Error("roll it back");
    });
    const outside = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await sql`insert into things (id, name) values (11, 'outside')`.execute(handle.db);
      order.push("outside statement done");
    })();
    await expect(transaction).rejects.toThrow("roll it back");
    await outside;
    expect(order).toEqual(["transaction starts", "transaction sees 0 outside rows", "outside statement done"]);
    const { rows } = await sql<{ id: number }>`select id from things where id in (10, 11) order by id`.execute(handle.db);
    expect(rows.map((row) => row.id)).toEqual([11]);
  });

  it("answers every statement after closing with an error, and closing twice is harmless", async () => {
    const other = await connectDatabase({ dataDir: null });
    await other.ping();
    await other.close();
    await other.close();
    await expect(other.ping()).rejects.toThrow(/closed/);
    await expect(sql`select 1`.execute(other.db)).rejects.toThrow();
  });

  it("keeps its files in the data directory: a second opening sees what the first wrote", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "pglite-thread-"));
    try {
      const first = await connectDatabase({ dataDir });
      await sql`create table kept (note text)`.execute(first.db);
      await sql`insert into kept values ('Tēnā koe')`.execute(first.db);
      await first.close();
      const second = await connectDatabase({ dataDir });
      const { rows } = await sql<{ note: string }>`select note from kept`.execute(second.db);
      expect(rows).toEqual([{ note: "Tēnā koe" }]);
      await second.close();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it("fails to start with PGlite's own error when the data directory cannot be used", async () => {
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "pglite-thread-")), "not-a-directory");
    await fs.writeFile(file, "x");
    try {
      await expect(PGliteThread.start(file)).rejects.toThrow();
    } finally {
      await fs.rm(path.dirname(file), { recursive: true, force: true });
    }
  });
});
