/**
 * A meeting's agenda document: the co-edited document made when the meeting is scheduled, for
 * drafting and shared notes (the running order stays the agenda on the meeting page). It starts
 * with a heading, the meeting's time and the items, numbered.
 */
import type { Transaction } from "kysely";
import * as Y from "yjs";
import type { Database } from "../../db/database.js";
import { type DocumentBlock, buildDoc, renderText } from "../documents/content.js";
import { renderHtml } from "../documents/render-html.server.js";

function agendaDocumentBlocks(title: string, when: string, items: readonly { title: string }[]): DocumentBlock[] {
  return [
    { type: "heading", level: 1, content: `Agenda: ${title}` },
    { type: "paragraph", content: when },
    { type: "orderedList", items: items.map((item) => item.title) },
  ];
}

/** Creates the agenda document of a meeting being scheduled, with its first snapshot; returns its id. */
export async function createAgendaDocument(
  trx: Transaction<Database>,
  input: { groupId: string; createdBy: string; title: string; when: string; items: readonly { title: string }[] },
): Promise<string> {
  const doc = buildDoc(agendaDocumentBlocks(input.title, input.when, input.items));
  try {
    const agendaDocument = await trx
      .insertInto("documents")
      .values({
        group_id: input.groupId,
        kind: "agenda",
        title: `Agenda: ${input.title}`.slice(0, 200),
        classification: "IN-CONFIDENCE",
        content_html: renderHtml(doc),
        content_text: renderText(doc),
        created_by: input.createdBy,
        updated_by: input.createdBy,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("document_snapshots")
      .values({ document_id: agendaDocument.id, state: Y.encodeStateAsUpdate(doc), last_update_id: 0 })
      .execute();
    return agendaDocument.id;
  } finally {
    doc.destroy();
  }
}
