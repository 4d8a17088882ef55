/**
 * Following a document's comments. Its group's chair and secretary, and whoever opened a
 * consultation on it, follow it without asking; anyone else who may read it can choose to
 * follow; and anyone, those included, can stop. A person's own choice (`document_follows`)
 * always wins over the default. Followers hear of each new comment thread on the document.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/database.js";
import { forbidden, notFound } from "../errors.js";
import { type Actor, can } from "../policy/policy.js";
import { nzCalendarDate } from "../utils/dates.js";
import { runCommand } from "./command.server.js";
import { findDocument } from "./document-access.server.js";
import { documentAudit } from "./documents.server.js";
import { membershipActiveOn } from "./memberships.server.js";
import { documentResource } from "./policy-resources.server.js";

type Db = Kysely<Database> | Transaction<Database>;

/** The people who follow a document by default: its group's chair and secretary today, and consultation openers. */
async function defaultFollowers(db: Db, document: { id: string; group_id: string }): Promise<string[]> {
  const officers = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("group_id", "=", document.group_id)
    .where("role", "in", ["chair", "secretary"])
    .where(membershipActiveOn(nzCalendarDate()))
    .execute();
  const openers = await db.selectFrom("consultations").select("opened_by").where("document_id", "=", document.id).execute();
  return [...officers.map((row) => row.user_id), ...openers.map((row) => row.opened_by)];
}

/** Everyone following the document: the defaults and those who chose to, less those who chose not to. */
export async function followersOf(db: Db, document: { id: string; group_id: string }): Promise<string[]> {
  const choices = await db.selectFrom("document_follows").select(["user_id", "following"]).where("document_id", "=", document.id).execute();
  const followers = new Set(await defaultFollowers(db, document));
  for (const choice of choices) {
    if (choice.following) followers.add(choice.user_id);
    else followers.delete(choice.user_id);
  }
  return [...followers];
}

/** Whether this person follows the document (by default or by choice). */
export async function isFollowing(db: Db, userId: string, document: { id: string; group_id: string }): Promise<boolean> {
  return (await followersOf(db, document)).includes(userId);
}

/** Follows the document's comments, or stops; refused to anyone who may not read it. */
export async function setFollowing(
  db: Kysely<Database>,
  actor: Actor,
  documentId: string,
  following: boolean,
  options: { ip?: string | null } = {},
): Promise<void> {
  await runCommand(db, {
    async lock(trx) {
      const document = await findDocument(trx, documentId);
      if (!document) throw notFound("That document does not exist");
      const resource = await documentResource(trx, actor, document);
      return { document, resource };
    },
    check({ resource }) {
      if (!can(actor, "document.follow", resource)) {
        if (!can(actor, "document.read", resource)) throw notFound("That document does not exist");
        throw forbidden();
      }
    },
    async change(trx, { document }) {
      await trx
        .insertInto("document_follows")
        .values({ document_id: document.id, user_id: actor.id, following })
        .onConflict((conflict) => conflict.columns(["document_id", "user_id"]).doUpdateSet({ following, updated_at: new Date() }))
        .execute();
    },
    audit: ({ document }) => documentAudit(actor, document, following ? "document.followed" : "document.unfollowed", options.ip ?? null, {}),
  });
}
