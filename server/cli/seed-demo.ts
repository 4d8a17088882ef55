/**
 * `npm run seed:demo`: seeds the demo Stewardship Group into the configured database
 * (DATABASE_URL, or the embedded one under DATA_DIR) if it has no groups yet.
 */
import { exitOnConfigError } from "../exit-on-config-error.js";
import { connectDatabase } from "../../db/connect.js";
import { migrateToLatest } from "../../db/migrate.js";
import { isDatabaseEmpty, seedDemo } from "../seed-demo.js";

const config = exitOnConfigError();
const database = await connectDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
try {
  await migrateToLatest(database.db);
  if (!(await isDatabaseEmpty(database.db))) {
    console.log("The database already has a group; nothing was seeded.");
  } else {
    const accounts = await seedDemo(database.db);
    console.log("Seeded the demo Stewardship Group. Demo accounts (password: kia-ora-demo):");
    for (const account of accounts) console.log(`  ${account.email.padEnd(24)} ${account.role}`);
  }
} finally {
  await database.close();
}
