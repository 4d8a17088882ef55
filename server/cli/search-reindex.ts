/**
 * `npm run search:reindex`: rebuilds the search index (ADR 021) of the configured database
 * (DATABASE_URL, or the embedded one under DATA_DIR: stop the server first, it holds that one).
 * Each document's text is first rendered again from its stored Yjs state, as the collaboration
 * endpoint renders it when it saves (renderDocument), and written where it differs; then every
 * kind's entries are rewritten from their source rows (searchSources).
 */
import { reindexEverything } from "../../app/models/search-index.server.js";
import { connectDatabase } from "../../db/connect.js";
import { migrateToLatest } from "../../db/migrate.js";
import { applyStoredState, readStoredStates, renderDocument } from "../collab/document-store.js";
import { exitOnConfigError } from "../exit-on-config-error.js";

const config = exitOnConfigError();
const database = await connectDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
try {
  await migrateToLatest(database.db);
  const documents = await database.db.selectFrom("documents").select(["id", "content_text"]).execute();
  let rerendered = 0;
  for (let start = 0; start < documents.length; start += 50) {
    const batch = documents.slice(start, start + 50);
    const states = await readStoredStates(database.db, batch.map((document) => document.id));
    for (const document of batch) {
      const state = states.get(document.id)!;
      // A document with nothing stored yet keeps the text it has.
      if (!state.snapshot && state.tail.length === 0) continue;
      const rendering = renderDocument(applyStoredState(state), null);
      if (rendering.text === document.content_text) continue;
      // Not a save: "last edited" stays as it was.
      await database.db
        .updateTable("documents")
        .set({ content_text: rendering.text, content_html: rendering.html })
        .where("id", "=", document.id)
        .execute();
      rerendered += 1;
    }
  }
  const started = Date.now();
  const counts = await reindexEverything(database.db);
  console.log(`Rendered ${documents.length} documents from their Yjs state (${rerendered} had changed).`);
  console.log(`Rebuilt the search index in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const [kind, count] of Object.entries(counts)) console.log(`  ${kind.padEnd(12)} ${count} entries`);
} finally {
  await database.close();
}
