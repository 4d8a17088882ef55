/**
 * Search everywhere (issue 23): the language rules (macrons and case, English stems, te reo words
 * whole, phrases, the typo fallback), indexing on every write through the triggers, and the
 * permission walk: every role against the same queries, counting anything found that the pages
 * would not show them (0 leaks).
 */
import { sql } from "kysely";
import { beforeAll, expect, it } from "vitest";
import type { MembershipRole, SearchKind } from "../../../db/database.js";
import { reindexEverything } from "../../../app/models/search-index.server.js";
import { type SearchHit, searchEverything } from "../../../app/models/search.server.js";
import type { Actor } from "../../../app/policy/policy.js";
import { describeEachDatabase } from "../../support/database.js";

describeEachDatabase("search", (getDb) => {
  const people = new Map<string, string>();
  let groupId: string;
  let otherGroupId: string;
  /** Which document each hit came from, for the permission walk. */
  const docs: Record<string, string> = {};
  let consultationId: string;

  const actor = (name: string, admin = false): Actor => ({
    id: people.get(name)!,
    isPlatformAdmin: admin,
    rolesByGroup: new Map(roles.filter(([who]) => who === name).map(([, role, group]) => [group === "other" ? otherGroupId : groupId, role])),
  });
  const roles: [string, MembershipRole, "main" | "other"][] = [
    ["chair", "chair", "main"],
    ["secretary", "secretary", "main"],
    ["member", "member", "main"],
    ["minister", "minister_office", "main"],
    ["observer", "observer", "main"],
    ["ngo", "consultee", "main"],
    ["outsider", "member", "other"],
  ];
  const find = (who: string, text: string, extra: Partial<Parameters<typeof searchEverything>[2]> = {}, admin = false) =>
    searchEverything(getDb(), actor(who, admin), { text, limit: 50, ...extra });
  const titles = (hits: SearchHit[]) => hits.map((hit) => hit.title);

  async function addDocument(title: string, text: string, group = groupId, kind: "paper" | "terms_of_reference" = "paper") {
    const row = await getDb()
      .insertInto("documents")
      .values({ group_id: group, kind, title, content_text: text })
      .returning("id")
      .executeTakeFirstOrThrow();
    docs[title] = row.id;
    return row.id;
  }
  async function addComment(documentId: string, who: string, body: string) {
    const thread = await getDb()
      .insertInto("comment_threads")
      .values({ document_id: documentId, anchor_start: new Uint8Array([1]), anchor_end: new Uint8Array([2]), quote: "q", created_by: people.get(who)! })
      .returning("id")
      .executeTakeFirstOrThrow();
    return getDb()
      .insertInto("comments")
      .values({ thread_id: thread.id, author_id: people.get(who)!, body })
      .returning("id")
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    const db = getDb();
    const group = await db.insertInto("groups").values({ code: "SRCH", name: "Search group" }).returning("id").executeTakeFirstOrThrow();
    const other = await db.insertInto("groups").values({ code: "OTHR", name: "Other group" }).returning("id").executeTakeFirstOrThrow();
    groupId = group.id;
    otherGroupId = other.id;
    for (const name of ["chair", "secretary", "member", "minister", "observer", "ngo", "outsider", "admin"]) {
      const user = await db
        .insertInto("users")
        .values({ email: `${name}@search.test`, display_name: name, is_platform_admin: name === "admin" })
        .returning("id")
        .executeTakeFirstOrThrow();
      people.set(name, user.id);
    }
    for (const [who, role, which] of roles) {
      await db
        .insertInto("memberships")
        .values({ group_id: which === "other" ? otherGroupId : groupId, user_id: people.get(who)!, role, starts_on: "2026-01-01" })
        .execute();
    }

    // Documents: one opened to the consultee, one not, one in another group.
    const open = await addDocument(
      "Commissioning paper",
      "Purpose of this paper\nWe propose whānau-centred contracts for every provider.\nFull cost funding of services is the aim.",
    );
    await addDocument(
      "Draft terms of reference",
      "The Stewardship Group meets monthly.\nMembers decided to hold meetings in Te Tūāpapa Kura Kāinga offices.\nMĀORI and Pacific providers: whānau centred practice.",
      groupId,
      "terms_of_reference",
    );
    await addDocument("Other group paper", "Whānau-centred contracts, said the other group.", otherGroupId);
    const consultation = await db
      .insertInto("consultations")
      .values({ document_id: open, brief: "Please comment", closes_at: new Date(Date.now() + 7 * 86_400_000), opened_by: people.get("secretary")! })
      .returning("id")
      .executeTakeFirstOrThrow();
    consultationId = consultation.id;
    await db.insertInto("consultation_invitees").values({ consultation_id: consultation.id, user_id: people.get("ngo")! }).execute();

    await addComment(open, "ngo", "The NGO said whānau-centred contracts need longer terms.");
    await addComment(docs["Draft terms of reference"]!, "member", "Whānau centred wording is clearer here, kaumātua agreed.");
    await addComment(docs["Other group paper"]!, "outsider", "Whānau-centred contracts in the other group too.");

    // A meeting with an agenda item, a decision and an action.
    const meeting = await db
      .insertInto("meetings")
      .values({ group_id: groupId, title: "December hui", starts_at: new Date("2026-12-08T01:00:00Z"), duration_minutes: 120 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("agenda_items").values({ meeting_id: meeting.id, position: 1, title: "Karakia and whakawhanaungatanga" }).execute();
    const minute = await db.insertInto("minutes").values({ meeting_id: meeting.id, group_id: groupId }).returning("id").executeTakeFirstOrThrow();
    const decision = await db
      .insertInto("decisions")
      .values({ minute_id: minute.id, position: 1, verb: "agreed", body: "that whānau-centred contracts be the default", search_text: "" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("actions")
      .values({ group_id: groupId, decision_id: decision.id, description: "Draft the whānau-centred contract template", owner_label: "The chair", owner_user_id: people.get("chair")!, due_on: "2027-02-01" })
      .execute();
  });

  it("finds words with or without macrons, in any case", async () => {
    for (const text of ["maori", "Māori", "MĀORI", "MAORI"]) {
      expect(titles((await find("member", text)).hits)).toContain("Draft terms of reference");
    }
    for (const text of ["whanau", "whānau", "WHANAU"]) {
      const kinds = new Set((await find("member", text)).hits.map((hit) => hit.kind));
      expect([...kinds].sort()).toEqual(["action", "comment", "decision", "document"]);
    }
    expect(titles((await find("member", "tuapapa kainga")).hits)).toContain("Draft terms of reference");
  });

  it("matches English words by their stems", async () => {
    // "meeting" finds "meets" and "meetings" (the stem "meet"), and highlights them.
    const meeting = (await find("member", "meeting", { kinds: ["document"] })).hits;
    expect(meeting.map((hit) => hit.snippet)).toEqual(["The Stewardship Group \u0001meets\u0002 monthly"]);
    const decide = (await find("member", "decide", { kinds: ["document"] })).hits;
    expect(decide.map((hit) => hit.snippet)).toEqual([expect.stringContaining("\u0001decided\u0002 to hold meetings")]);
    // The exact word ranks first: it matches as a whole word as well as by its stem.
    const meetings = (await find("member", "meetings", { kinds: ["document"] })).hits;
    expect(meetings.map((hit) => hit.link)).toEqual([`/groups/${groupId}/documents/${docs["Draft terms of reference"]}#paragraph-2`]);
  });

  it("indexes te reo words whole as well as stemmed, so they are matched whole", async () => {
    const lexemes = await sql<{ lexemes: string }>`select to_tsvector('search_simple', 'Kaumātua wāhine whakawhanaungatanga')::text as lexemes`.execute(getDb());
    expect(lexemes.rows[0]!.lexemes).toBe("'kaumatua':1 'wahine':2 'whakawhanaungatanga':3");
    // The English stemmer alone would cut "wahine" to "wahin"; the whole word is kept beside it.
    const english = await sql<{ lexemes: string }>`select to_tsvector('search_english', 'wāhine')::text as lexemes`.execute(getDb());
    expect(english.rows[0]!.lexemes).toBe("'wahin':1");
    expect(titles((await find("member", "kaumatua")).hits)).toEqual(["Draft terms of reference"]);
    expect((await find("member", "whakawhanaungatanga")).hits.map((hit) => hit.kind)).toEqual(["agenda_item"]);
  });

  it("matches quoted phrases as phrases", async () => {
    const phrase = await find("member", '"full cost funding"');
    expect(titles(phrase.hits)).toEqual(["Commissioning paper"]);
    expect(phrase.hits[0]!.link).toBe(`/groups/${groupId}/documents/${docs["Commissioning paper"]}#paragraph-3`);
    expect((await find("member", '"funding full cost"')).hits).toEqual([]);
  });

  it("links a document's hit to its paragraph and highlights the matched words", async () => {
    const { hits } = await find("member", "whanau centred", { kinds: ["document"] });
    const paper = hits.find((hit) => hit.title === "Commissioning paper")!;
    expect(paper.link).toBe(`/groups/${groupId}/documents/${docs["Commissioning paper"]}#paragraph-2`);
    expect(paper.snippet).toContain("\u0001whānau\u0002");
    expect(paper.snippet).toContain("\u0001centred\u0002");
  });

  it("falls back to similar words when nothing matches exactly", async () => {
    const exact = await find("member", "contracts");
    expect(exact.fuzzy).toBe(false);
    const typo = await find("member", "contrcts");
    expect(typo.fuzzy).toBe(true);
    expect(typo.hits.length).toBeGreaterThan(0);
    expect(typo.hits.every((hit) => hit.groupId === groupId)).toBe(true);
    expect((await find("member", "zzqqxx")).hits).toEqual([]);
  });

  it("filters by kind, group, date range and document status", async () => {
    expect(new Set((await find("member", "whanau", { kinds: ["decision"] })).hits.map((hit) => hit.kind))).toEqual(new Set(["decision"]));
    expect((await find("member", "whanau", { groupId: otherGroupId })).hits).toEqual([]);
    expect((await find("member", "whanau", { kinds: ["decision"], from: "2026-12-08", to: "2026-12-08" })).hits).toHaveLength(1);
    expect((await find("member", "whanau", { kinds: ["decision"], from: "2026-12-09" })).hits).toHaveLength(0);
    expect((await find("member", "whanau", { documentStatus: "draft" })).hits.every((hit) => hit.kind === "document")).toBe(true);
    expect((await find("member", "whanau", { documentStatus: "approved" })).hits).toEqual([]);
  });

  it("keeps the index current on every write, in the same transaction", async () => {
    const db = getDb();
    await db.updateTable("documents").set({ content_text: "Now about rangatiratanga only." }).where("id", "=", docs["Other group paper"]!).execute();
    expect(titles((await find("outsider", "rangatiratanga")).hits)).toEqual(["Other group paper"]);
    expect((await find("outsider", "contracts", { kinds: ["document"] })).hits).toEqual([]);
    // A rolled-back write leaves the index as it was.
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable("documents").set({ content_text: "kotahitanga" }).where("id", "=", docs["Other group paper"]!).execute();
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect((await find("outsider", "kotahitanga")).hits).toEqual([]);
    // A deleted comment is gone from search.
    const comment = await addComment(docs["Other group paper"]!, "outsider", "Manaakitanga matters.");
    expect((await find("outsider", "manaakitanga")).hits).toHaveLength(1);
    await db.updateTable("comments").set({ deleted_at: new Date() }).where("id", "=", comment.id).execute();
    expect((await find("outsider", "manaakitanga")).hits).toEqual([]);
  });

  it("indexes submitted and approved versions, labelled as such", async () => {
    const db = getDb();
    const documentId = docs["Draft terms of reference"]!;
    const version = await db
      .insertInto("document_versions")
      .values({ document_id: documentId, number: 1, name: "Submitted", reason: "submission", state: new Uint8Array([0]), content_html: "", content_text: "Kotahitanga is our founding value.", content_hash: "h" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const submission = await db
      .insertInto("document_submissions")
      .values({ document_id: documentId, version_id: version.id, submitted_by: people.get("secretary")!, content_hash: "h" })
      .returning("id")
      .executeTakeFirstOrThrow();
    let hits = (await find("member", "kotahitanga")).hits;
    expect(hits.map((hit) => [hit.kind, hit.title, hit.status])).toEqual([["version", "Draft terms of reference (submitted version 1)", "submitted"]]);
    await db.updateTable("document_submissions").set({ status: "approved", decided_at: new Date(), decided_by: people.get("minister")! }).where("id", "=", submission.id).execute();
    hits = (await find("member", "kotahitanga")).hits;
    expect(hits.map((hit) => [hit.title, hit.status])).toEqual([["Draft terms of reference (approved version 1)", "approved"]]);
    expect((await find("ngo", "kotahitanga")).hits).toEqual([]);
  });

  it("indexes proposals by their title and resolution, for those who may see them, never a stance", async () => {
    const db = getDb();
    const proposal = await db
      .insertInto("proposals")
      .values({
        group_id: groupId,
        title: "Letter to the Minister on manaakitanga",
        verb: "agreed",
        resolution: "that the chair write to the Minister about manaakitanga in contracts",
        process: "consent",
        closes_at: new Date(Date.now() + 7 * 24 * 3_600_000),
        results: "visible",
        ballot: "named",
        quorum_percent: 50,
        opened_by: people.get("secretary")!,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const hits = (await find("member", "manaakitanga")).hits;
    expect(hits.map((hit) => [hit.kind, hit.title, hit.status, hit.link])).toEqual([
      ["proposal", "Letter to the Minister on manaakitanga", "open", `/groups/${groupId}/proposals/${proposal.id}`],
    ]);
    expect((await find("ngo", "manaakitanga")).hits).toEqual([]);
    expect((await find("outsider", "manaakitanga")).hits).toEqual([]);
    expect((await find("admin", "manaakitanga", {}, true)).hits).toEqual([]);
    await db.updateTable("proposals").set({ status: "closed", outcome: "not_passed", closed_at: new Date(), tally: JSON.stringify({ consent: 1, object: 1 }), eligible_seats: 6, seats_taking_part: 2, closed_early: false }).where("id", "=", proposal.id).execute();
    expect((await find("member", "manaakitanga")).hits.map((hit) => hit.status)).toEqual(["not_passed"]);
    // What a person chose, and why, is never in the index.
    const bodies = await db.selectFrom("search_entries").select("body").where("kind", "=", "proposal").execute();
    expect(bodies.map((row) => row.body)).toEqual(["agreed that the chair write to the Minister about manaakitanga in contracts "]);
  });

  it("re-indexes everything from the source rows with one command", async () => {
    const db = getDb();
    await sql`delete from search_entries`.execute(db);
    expect((await find("member", "whanau")).hits).toEqual([]);
    const counts = await reindexEverything(db);
    expect(counts.document).toBeGreaterThan(3);
    expect(counts.decision).toBe(1);
    expect((await find("member", "whanau")).hits.length).toBeGreaterThan(3);
  });

  it("never finds what a role may not read (every role, the same queries: 0 leaks)", async () => {
    const queries = ["whanau", "whānau centred", '"whanau-centred contracts"', "contracts", "contrcts", "karakia", "maori", "hui", "kotahitanga", "the", "meeting"];
    const openDocument = docs["Commissioning paper"]!;
    /** What the pages show each role: group readers everything in their group; consultees only the open document and its comments. */
    const mayRead = (who: string, hit: SearchHit): boolean => {
      const role = roles.find(([name]) => name === who);
      if (!role) return false;
      const group = role[2] === "other" ? otherGroupId : groupId;
      if (hit.groupId !== group) return false;
      if (role[1] !== "consultee") return true;
      if (hit.kind !== "document" && hit.kind !== "comment") return false;
      return hit.link.includes(`/documents/${openDocument}`);
    };
    const found = new Map<string, number>();
    let leaks = 0;
    for (const who of [...roles.map(([name]) => name), "admin"]) {
      for (const text of queries) {
        const { hits } = await find(who, text, {}, who === "admin");
        for (const hit of hits) {
          if (!mayRead(who, hit)) leaks += 1;
          found.set(who, (found.get(who) ?? 0) + 1);
        }
      }
    }
    expect(leaks).toBe(0);
    // And the walk is not empty: each reads what the pages give them.
    expect(found.get("admin") ?? 0).toBe(0);
    expect(found.get("ngo")).toBeGreaterThan(0);
    expect(found.get("minister")).toBeGreaterThan(0);
    expect(found.get("outsider")).toBeGreaterThan(0);
    const ngoKinds = new Set<SearchKind>();
    for (const text of queries) for (const hit of (await find("ngo", text)).hits) ngoKinds.add(hit.kind);
    expect([...ngoKinds].sort()).toEqual(["comment", "document"]);
  });

  it("gives a consultee nothing once the consultation has closed", async () => {
    expect((await find("ngo", "whanau")).hits.length).toBeGreaterThan(0);
    await getDb().updateTable("consultations").set({ closed_early_at: new Date() }).where("id", "=", consultationId).execute();
    expect((await find("ngo", "whanau")).hits).toEqual([]);
    await getDb().updateTable("consultations").set({ closed_early_at: null }).where("id", "=", consultationId).execute();
  });

  it("answers odd queries without failing", async () => {
    for (const text of ["", " ", "&|!():*", "'", '"unbalanced', "a & | b", "!!!", "\u0000whanau", "\uD800", "x".repeat(10_000), "<b>", "or", "-whanau", "whanau:*"]) {
      const result = await find("member", text);
      expect(Array.isArray(result.hits)).toBe(true);
    }
  });
});
