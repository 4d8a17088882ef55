/**
 * Who hears of each comment event, on PGlite and PostgreSQL, through the real comment commands:
 * a new thread tells the document's followers (the chair and secretary, whoever opened its
 * consultation, anyone who chose to follow, less anyone who chose not to); a reply, a resolve and
 * a reopen tell the thread's participants; an @mention tells the person once, even if they also
 * follow or took part. Never the person who did it, never twice, a consultee only while the
 * document is open to them, and each person's email setting (immediate, daily digest, off) decides
 * whether an email is queued. Titles never carry the words of a comment.
 */
import pino from "pino";
import { beforeAll, beforeEach, expect, it } from "vitest";
import * as Y from "yjs";
import type { Kysely } from "kysely";
import { encodeAnchor } from "../../../app/documents/comment-anchors.js";
import { COLLAB_FIELD } from "../../../app/documents/content.js";
import { loadActor } from "../../../app/models/actor.server.js";
import { closeConsultationEarly, openConsultation } from "../../../app/models/consultation-commands.server.js";
import { type CommentServices, createThread, mentionablePeople, reopen, reply, resolve } from "../../../app/models/comments.server.js";
import { followersOf, setFollowing } from "../../../app/models/document-follows.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import type { Database, EmailMode } from "../../../db/database.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { describeEachDatabase } from "../../support/database.js";
import { recordingOutbox } from "../../support/recording-outbox.js";

const people = {
  chair: "chair@example.org",
  secretary: "secretary@example.org",
  member: "member@example.org",
  minister: "minister@example.org",
  ngo: "ngo@example.org",
  hemi: "mereana.henare@example.org",
  /** Her membership ended on 31 August 2026. */
  former: "hemi.walker@example.org",
} as const;
type Person = keyof typeof people;

/** An anchor pair over the first `length` characters of the document's first paragraph. */
function anchorsFor(length = 5) {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment(COLLAB_FIELD);
  const paragraph = new Y.XmlElement("paragraph");
  const text = new Y.XmlText();
  text.insert(0, "Kia ora koutou katoa");
  paragraph.insert(0, [text]);
  fragment.insert(0, [paragraph]);
  return {
    anchorStart: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 0)),
    anchorEnd: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, length)),
  };
}

describeEachDatabase("comment notifications", (getDb) => {
  const ids = {} as Record<Person, string>;
  const actors = {} as Record<Person, Actor>;
  let terms: { id: string; group_id: string; title: string; archived_at: Date | null };
  let paper: { id: string; group_id: string; title: string; archived_at: Date | null };
  const outbox = recordingOutbox();
  const pushed: { userId: string; event: string }[] = [];
  let services: CommentServices;

  const db = (): Kysely<Database> => getDb();

  /** A mark: the notifications there are now. */
  async function mark(): Promise<Set<string>> {
    return new Set((await db().selectFrom("notifications").select("id").execute()).map((row) => row.id));
  }

  /** What each person was told after `before` (by kind). */
  async function toldSince(before: Set<string>) {
    const rows = (await db().selectFrom("notifications").select(["id", "user_id", "kind", "title", "emailed_at"]).execute()).filter((row) => !before.has(row.id));
    const byPerson = new Map<string, string[]>();
    for (const row of rows) byPerson.set(row.user_id, [...(byPerson.get(row.user_id) ?? []), row.kind]);
    return { rows, byPerson, kindsOf: (person: Person) => (byPerson.get(ids[person]) ?? []).sort() };
  }

  async function setEmailMode(person: Person, mode: EmailMode) {
    await db()
      .insertInto("notification_preferences")
      .values({ user_id: ids[person], email_mode: mode })
      .onConflict((conflict) => conflict.column("user_id").doUpdateSet({ email_mode: mode }))
      .execute();
  }

  const startThread = (person: Person, document: { id: string }, body: string, mentionIds?: string[]) =>
    createThread(db(), services, actors[person], { documentId: document.id, ...anchorsFor(), quote: "Kia o", body, ...(mentionIds ? { mentionIds } : {}) });

  beforeAll(async () => {
    await seedDemo(db());
    const users = await db().selectFrom("users").select(["id", "email", "display_name"]).execute();
    for (const [person, email] of Object.entries(people) as [Person, string][]) {
      const user = users.find((row) => row.email === email)!;
      ids[person] = user.id;
      actors[person] = await loadActor(db(), { id: user.id, email, displayName: user.display_name, isPlatformAdmin: false });
    }
    const documents = await db().selectFrom("documents").select(["id", "group_id", "title", "archived_at", "kind"]).execute();
    terms = documents.find((row) => row.kind === "terms_of_reference")!;
    paper = documents.find((row) => row.kind === "paper" && row.group_id === terms.group_id)!;
    services = {
      db: db(),
      logger: pino({ level: "silent" }),
      jobs: outbox,
      realtime: { emitToUser: (userId, event) => pushed.push({ userId, event }), emitToRoom: () => undefined },
      config: { publicUrl: "https://stewardship.example.govt.nz" },
    };
  });

  beforeEach(async () => {
    outbox.sent.length = 0;
    pushed.length = 0;
    await db().deleteFrom("notification_preferences").execute();
    await db().deleteFrom("document_follows").execute();
  });

  it("tells the chair and secretary of a new thread, each once, live and by email, and not its author", async () => {
    const since = await mark();
    await startThread("member", terms, "The purpose clause needs the word whānau.");
    const told = await toldSince(since);
    expect(told.kindsOf("chair")).toEqual(["comment.thread_created"]);
    expect(told.kindsOf("secretary")).toEqual(["comment.thread_created"]);
    expect(told.kindsOf("member")).toEqual([]);
    expect(told.kindsOf("minister")).toEqual([]);
    expect(outbox.sent.map((message) => message.to).sort()).toEqual([people.chair, people.secretary].sort());
    expect(pushed.filter((push) => push.event === "notification").map((push) => push.userId).sort()).toEqual([ids.chair, ids.secretary].sort());
    // The title names who and where; the words are in the body and the email only.
    for (const row of told.rows) {
      expect(row.title).toBe(`Tama Ngata commented on “${terms.title}”`);
      expect(row.title).not.toContain("whānau");
    }
    expect(outbox.sent[0]!.text).toContain("The purpose clause needs the word whānau.");
    expect(outbox.sent[0]!.text).toMatch(/https:\/\/stewardship\.example\.govt\.nz\/groups\/.+\?comments=all#thread-[0-9a-f-]{36}/);
  });

  it("tells whoever chose to follow, and not a chair who chose to stop", async () => {
    await setFollowing(db(), actors.hemi, terms.id, true);
    await setFollowing(db(), actors.chair, terms.id, false);
    expect((await followersOf(db(), terms)).sort()).toEqual([ids.secretary, ids.hemi].sort());
    const since = await mark();
    await startThread("member", terms, "A second thought on the membership clause.");
    const told = await toldSince(since);
    expect(told.kindsOf("hemi")).toEqual(["comment.thread_created"]);
    expect(told.kindsOf("secretary")).toEqual(["comment.thread_created"]);
    expect(told.kindsOf("chair")).toEqual([]);
    // And following again puts them back.
    await setFollowing(db(), actors.chair, terms.id, true);
    expect(await followersOf(db(), terms)).toContain(ids.chair);
  });

  it("tells a person @mentioned once, as a mention, though they also follow", async () => {
    const since = await mark();
    await startThread("member", terms, "@Sophie Lin and @Mereana Hēnare, could you check this clause?");
    const told = await toldSince(since);
    expect(told.kindsOf("secretary")).toEqual(["comment.mentioned"]);
    expect(told.kindsOf("hemi")).toEqual(["comment.mentioned"]);
    expect(told.kindsOf("chair")).toEqual(["comment.thread_created"]);
    expect(outbox.sent.filter((message) => message.to === people.secretary)).toHaveLength(1);
    expect(told.rows.find((row) => row.user_id === ids.secretary)!.title).toBe(`Tama Ngata mentioned you in a comment on “${terms.title}”`);
  });

  it("tells everyone who took part in the thread of a reply, except whoever replied", async () => {
    const { threadId } = await startThread("member", terms, "Should the quorum be six?");
    await reply(db(), services, actors.hemi, threadId, "Six seems right to me.");
    const since = await mark();
    await reply(db(), services, actors.chair, threadId, "Agreed: six.");
    const told = await toldSince(since);
    expect(told.kindsOf("member")).toEqual(["comment.replied"]);
    expect(told.kindsOf("hemi")).toEqual(["comment.replied"]);
    expect(told.kindsOf("chair")).toEqual([]);
    // The secretary follows the document but took no part in this thread.
    expect(told.kindsOf("secretary")).toEqual([]);
  });

  it("tells the thread's author and participants when it is resolved and reopened", async () => {
    const { threadId } = await startThread("member", terms, "Is the review date right?");
    await reply(db(), services, actors.hemi, threadId, "It should be June.");
    let since = await mark();
    await resolve(db(), services, actors.secretary, threadId);
    let told = await toldSince(since);
    expect(told.kindsOf("member")).toEqual(["comment.resolved"]);
    expect(told.kindsOf("hemi")).toEqual(["comment.resolved"]);
    expect(told.kindsOf("secretary")).toEqual([]);
    // Resolving what is already resolved tells nobody again.
    since = await mark();
    await resolve(db(), services, actors.secretary, threadId);
    expect((await toldSince(since)).rows).toHaveLength(0);
    since = await mark();
    await reopen(db(), services, actors.member, threadId);
    told = await toldSince(since);
    expect(told.kindsOf("hemi")).toEqual(["comment.reopened"]);
    // Resolving it is not taking part: the secretary wrote nothing in the thread.
    expect(told.kindsOf("secretary")).toEqual([]);
    expect(told.kindsOf("member")).toEqual([]);
  });

  it.each([
    ["immediate", 1, true],
    ["daily_digest", 0, false],
    ["off", 0, false],
  ] as const)("under the email setting %s, queues %i email for each event and keeps the notification", async (mode, emails, emailed) => {
    await setEmailMode("chair", mode);
    await setEmailMode("hemi", mode);
    const { threadId } = await startThread("member", terms, `A thread while the setting is ${mode}.`);
    await reply(db(), services, actors.hemi, threadId, "A reply from Mereana.");
    outbox.sent.length = 0;
    const since = await mark();
    // One event of each kind that reaches the chair or Mereana.
    await startThread("member", terms, "Another thread for the followers.");
    await reply(db(), services, actors.member, threadId, "A reply Mereana hears of.");
    await resolve(db(), services, actors.member, threadId);
    await startThread("member", terms, "@Mereana Hēnare, a mention.");
    const told = await toldSince(since);
    expect(told.kindsOf("chair")).toEqual(["comment.thread_created", "comment.thread_created"]);
    expect(told.kindsOf("hemi")).toEqual(["comment.mentioned", "comment.replied", "comment.resolved"]);
    expect(outbox.sent.filter((message) => message.to === people.chair)).toHaveLength(2 * emails);
    expect(outbox.sent.filter((message) => message.to === people.hemi)).toHaveLength(3 * emails);
    const hemiRows = told.rows.filter((row) => row.user_id === ids.hemi);
    expect(hemiRows).toHaveLength(3);
    expect(hemiRows.every((row) => (row.emailed_at !== null) === emailed)).toBe(true);
  });

  it("tells a consultee of replies while the document is open to her, and no longer once it closes", async () => {
    const { consultationId } = await openConsultation(db(), null, actors.secretary, {
      documentId: paper.id,
      consulteeUserIds: [ids.ngo],
      closesOn: new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Auckland" }).format(new Date(Date.now() + 7 * 86_400_000)),
      brief: "Your view on contract length, please.",
    });
    expect(consultationId).toBeTruthy();
    const ngo = await loadActor(db(), { id: ids.ngo, email: people.ngo, displayName: "Losa Faleolo", isPlatformAdmin: false });
    let since = await mark();
    const { threadId } = await createThread(db(), services, ngo, { documentId: paper.id, ...anchorsFor(), quote: "Kia o", body: "Five years, not three." });
    let told = await toldSince(since);
    // The secretary opened the consultation and follows the paper anyway: told once.
    expect(told.kindsOf("secretary")).toEqual(["comment.thread_created"]);
    expect(told.kindsOf("chair")).toEqual(["comment.thread_created"]);
    // The @ list offers her while the paper is open to her, with her organisation.
    expect((await mentionablePeople(db(), paper, ids.member)).find((person) => person.id === ids.ngo)).toMatchObject({ name: "Losa Faleolo" });
    since = await mark();
    await reply(db(), services, actors.member, threadId, "Thank you, Losa: noted.");
    told = await toldSince(since);
    expect(told.kindsOf("ngo")).toEqual(["comment.replied"]);

    await closeConsultationEarly(db(), actors.secretary, { documentId: paper.id });
    since = await mark();
    await reply(db(), services, actors.member, threadId, "We have taken five years forward.");
    await startThread("member", paper, "@Losa Faleolo will not hear of this.");
    told = await toldSince(since);
    expect(told.kindsOf("ngo")).toEqual([]);
    expect((await mentionablePeople(db(), paper, ids.member)).map((person) => person.id)).not.toContain(ids.ngo);
  });

  it("never tells a consultee about a document not open to her, even when @mentioned by name", async () => {
    const since = await mark();
    await startThread("member", terms, "@Losa Faleolo, what do NGOs think?");
    const told = await toldSince(since);
    expect(told.kindsOf("ngo")).toEqual([]);
    expect((await mentionablePeople(db(), terms, ids.member)).map((person) => person.id)).not.toContain(ids.ngo);
  });

  it("offers the @ list the people who may read the document, never the writer or a disabled account", async () => {
    const offered = await mentionablePeople(db(), terms, ids.member);
    const offeredIds = offered.map((person) => person.id);
    expect(offeredIds).toEqual(expect.arrayContaining([ids.chair, ids.secretary, ids.minister, ids.hemi]));
    expect(offeredIds).not.toContain(ids.member);
    // A former member is not offered, and a mention of her tells her nothing.
    expect(offeredIds).not.toContain(ids.former);
    const before = await mark();
    await startThread("member", terms, "@Hemi Walker may remember this.");
    expect((await toldSince(before)).kindsOf("former")).toEqual([]);
    expect(new Set(offeredIds).size).toBe(offeredIds.length);
    await db().updateTable("users").set({ disabled_at: new Date() }).where("id", "=", ids.hemi).execute();
    try {
      expect((await mentionablePeople(db(), terms, ids.member)).map((person) => person.id)).not.toContain(ids.hemi);
      const since = await mark();
      await startThread("member", terms, "@Mereana Hēnare is away.");
      expect((await toldSince(since)).kindsOf("hemi")).toEqual([]);
    } finally {
      await db().updateTable("users").set({ disabled_at: null }).where("id", "=", ids.hemi).execute();
    }
  });

  it("lets a member follow and stop, and refuses a consultee a document not open to her as not found", async () => {
    await setFollowing(db(), actors.minister, terms.id, true);
    expect(await followersOf(db(), terms)).toContain(ids.minister);
    await setFollowing(db(), actors.minister, terms.id, false);
    expect(await followersOf(db(), terms)).not.toContain(ids.minister);
    const ngo = await loadActor(db(), { id: ids.ngo, email: people.ngo, displayName: "Losa Faleolo", isPlatformAdmin: false });
    await expect(setFollowing(db(), ngo, terms.id, true)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const audit = await db().selectFrom("audit_log").select("action").where("action", "in", ["document.followed", "document.unfollowed"]).execute();
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });
});
