/**
 * Runs the migrations in `db/migrations/` (sortable timestamped names, each with `up` and `down`,
 * listed in `db/migrations/index.ts`). Called on every start; a migration already applied is skipped.
 */
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  type SchemaMetadata,
  type TableMetadata,
  sql,
} from "kysely";
import type { Database } from "./database.js";
import { migrations } from "./migrations/index.js";

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/**
 * The migration tables live in the connection's current schema, named explicitly: otherwise
 * Kysely takes a `kysely_migration` table in any other schema of the database as its own.
 */
export async function createMigrator(db: Kysely<Database>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({
    db: withCurrentSchemaIntrospection(db),
    provider,
    migrationTableSchema: rows[0]?.schema ?? "public",
  });
}

/**
 * Kysely's migrator asks the introspector for every table of every schema just to learn whether
 * its own two tables exist, and on PostgreSQL that catalogue read fails when another session
 * changes a different schema at the same moment ("column … does not exist"). This view of the
 * database answers those questions from the current schema alone.
 */
function withCurrentSchemaIntrospection(db: Kysely<Database>): Kysely<Database> {
  const introspector: DatabaseIntrospector = {
    async getSchemas(): Promise<SchemaMetadata[]> {
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(db);
      return rows;
    },
    async getTables(): Promise<TableMetadata[]> {
      const { rows } = await sql<{ name: string; schema: string }>`
        select table_name as name, table_schema as schema from information_schema.tables
        where table_schema = current_schema()`.execute(db);
      return rows.map((row) => ({ ...row, isView: false, columns: [] }));
    },
    async getMetadata(): Promise<DatabaseMetadata> {
      return { tables: await this.getTables() };
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "introspection") return introspector;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const result: MigrationResultSet = await (await createMigrator(db)).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
