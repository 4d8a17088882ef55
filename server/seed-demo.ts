/**
 * The demo Stewardship Group: organisations named in the Cabinet minute (with their macrons),
 * one account per role and a membership history, a draft terms of reference, a draft
 * recommendation, and one meeting coming up (`demoMeetingStartsAt`) with its agenda (the terms of
 * reference as the paper for their item). The documents get a Yjs snapshot (built with `buildDoc`), so they open in the editor with
 * their text.
 * Seeded on first start against an empty embedded database, or by `npm run seed:demo`.
 */
import { hash } from "@node-rs/argon2";
import { type Kysely, sql } from "kysely";
import * as Y from "yjs";
import { renderHtml } from "../app/documents/render-html.server.js";
import { type DocumentBlock, buildDoc, renderText } from "../app/documents/content.js";
import { formatNzDate, nzCalendarDate, nzWallClockInstant } from "../app/utils/dates.js";
import type { AgendaItemKind, Database, MembershipRole, OrganisationSector } from "../db/database.js";

export const DEMO_PASSWORD = "kia-ora-demo";

export const demoAccounts = [
  { email: "admin@example.org", displayName: "Mere Tawhiri", role: "platform administrator (the Hub)" },
  { email: "chair@example.org", displayName: "Rāwiri Te Awa", role: "chair" },
  { email: "secretary@example.org", displayName: "Sophie Lin", role: "secretary" },
  { email: "member@example.org", displayName: "Tama Ngata", role: "member" },
  { email: "minister@example.org", displayName: "Alex Morgan", role: "Lead Minister's office" },
  { email: "ngo@example.org", displayName: "Losa Faleolo", role: "consultee (NGO representative)" },
] as const;

const organisations: { key: string; name: string; shortName?: string; sector: OrganisationSector }[] = [
  { key: "msd", name: "Ministry of Social Development", shortName: "MSD", sector: "government_department" },
  { key: "whaikaha", name: "Whaikaha – Ministry of Disabled People", sector: "government_department" },
  { key: "ot", name: "Oranga Tamariki – Ministry for Children", sector: "government_department" },
  { key: "hud", name: "Te Tūāpapa Kura Kāinga – Ministry of Housing and Urban Development", shortName: "HUD", sector: "government_department" },
  { key: "tpk", name: "Te Puni Kōkiri", sector: "government_department" },
  { key: "corrections", name: "Ara Poutama Aotearoa – Department of Corrections", sector: "government_department" },
  { key: "puna", name: "Te Puna Aonui", sector: "government_department" },
  { key: "acc", name: "Accident Compensation Corporation", shortName: "ACC", sector: "crown_entity" },
  { key: "whatuora", name: "Te Whatu Ora – Health New Zealand", sector: "crown_entity" },
  { key: "tec", name: "Tertiary Education Commission", shortName: "TEC", sector: "crown_entity" },
  { key: "minister", name: "Office of the Minister for Social Development and Employment", sector: "other" },
  { key: "ngo", name: "Social Service Providers Aotearoa", shortName: "SSPA", sector: "ngo" },
  { key: "iwi", name: "Te Rūnanga o Ngā Kaitiaki (demo iwi provider)", sector: "iwi_maori" },
  { key: "community", name: "Hapori Hauora Community Trust (demo)", sector: "community" },
  { key: "dpo", name: "Disabled People's Assembly (demo)", sector: "disabled_peoples_organisation" },
];

const termsOfReference: DocumentBlock[] = [
  { type: "heading", level: 1, content: "Terms of reference: Social Sector Commissioning Stewardship Group" },
  { type: "heading", level: 2, content: "1. Purpose" },
  {
    type: "paragraph",
    content:
      "The Stewardship Group oversees the shift to a relational approach to commissioning set out in the Social Sector Commissioning Action Plan 2022–2028, so that people, whānau and communities are supported by social services that are responsive, whānau-centred and community-led.",
  },
  { type: "heading", level: 2, content: "2. Background" },
  {
    type: "paragraph",
    content:
      "On 3 August 2022 the Cabinet Social Wellbeing Committee noted that the Lead Minister will approve the terms of reference for the Stewardship Group outlined under Action 7 of the Action Plan [SWC-22-MIN-0140].",
  },
  { type: "heading", level: 2, content: "3. Te Tiriti o Waitangi" },
  {
    type: "paragraph",
    content:
      "The group gives practical effect to Te Tiriti o Waitangi. Māori-Crown partnership is at the heart of its work, and it supports iwi, hapū and whānau to create their own solutions.",
  },
  { type: "heading", level: 2, content: "4. Membership" },
  {
    type: "orderedList",
    items: [
      "Representatives of social sector government departments and Crown entities.",
      "Representatives of non-government organisations, iwi and Māori organisations, communities and disabled people's organisations affected by commissioning.",
      "A member may name an alternate to attend in their place.",
    ],
  },
  { type: "heading", level: 2, content: "5. Roles" },
  {
    type: "paragraph",
    content:
      "The chair runs meetings and puts decisions. The secretariat, provided by the Social Sector Commissioning Hub, schedules meetings, keeps attendance and drafts the minutes of decision.",
  },
  { type: "heading", level: 2, content: "6. Quorum and decisions" },
  {
    type: "paragraph",
    content:
      "A quorum is half the members plus one. The group seeks consensus; where it cannot be reached, the differing views are recorded in the minute.",
  },
  { type: "heading", level: 2, content: "7. Conflicts of interest" },
  {
    type: "paragraph",
    content:
      "Members declare any conflict of interest at the start of each meeting or as soon as it arises, and the minute records how it was managed.",
  },
  { type: "heading", level: 2, content: "8. Meetings and reporting" },
  {
    type: "paragraph",
    content:
      "The group meets every two months and reports to the Lead Minister, the Minister for Social Development and Employment, through the Social Wellbeing Board.",
  },
];

const agendaBlocks = (startsAt: Date): DocumentBlock[] => [
  { type: "heading", level: 1, content: `Agenda: Stewardship Group hui, ${monthAndYear(startsAt)}` },
  {
    type: "orderedList",
    items: [
      "Karakia and whakawhanaungatanga",
      "Apologies",
      "Conflicts of interest",
      "Confirmation of the previous minutes",
      "Draft terms of reference",
      "General business",
      "Closing karakia",
    ],
  },
];

/**
 * When the demo's hui is: 10:00 in New Zealand on the first Tuesday a week or more after the day the
 * demo is seeded, so a new demo always has a meeting coming up (the group home shows it as the next
 * meeting), and starting it on the day one tries the demo is days early, which asks the chair first.
 * The membership history is fixed (it ends in 2026-09), so who had a seat that day does not move.
 */
export function demoMeetingStartsAt(now: Date): Date {
  const [year, month, day] = nzCalendarDate(now).split("-").map(Number) as [number, number, number];
  const inAWeek = new Date(Date.UTC(year, month - 1, day + 7));
  const daysToTuesday = (2 - inAWeek.getUTCDay() + 7) % 7;
  inAWeek.setUTCDate(inAWeek.getUTCDate() + daysToTuesday);
  return nzWallClockInstant(inAWeek.toISOString().slice(0, 10), 10);
}

/** "December 2026", in New Zealand. */
function monthAndYear(at: Date): string {
  return formatNzDate(at).replace(/^\S+ \d+ /, "");
}

const recommendationBlocks: DocumentBlock[] = [
  { type: "heading", level: 1, content: "Draft recommendation: relational commissioning in practice" },
  {
    type: "paragraph",
    content:
      "This paper asks the Stewardship Group to recommend how agencies move their contracts with social service providers to the relational approach in the Action Plan.",
  },
  { type: "heading", level: 2, content: "Recommendations" },
  {
    type: "paragraph",
    content: "Agencies offer providers contracts of at least three years, with funding that covers the full cost of the service.",
  },
  {
    type: "paragraph",
    content: "Reporting asks only for what is used, and providers and whānau help decide what success looks like.",
  },
  {
    type: "paragraph",
    content: "Iwi and Māori providers are commissioned in ways that give effect to Te Tiriti o Waitangi and support tino rangatiratanga.",
  },
];

/** A seeded document's Yjs state and the renderings taken from it, so the two always agree. */
function seededContent(blocks: DocumentBlock[]) {
  const doc = buildDoc(blocks);
  const content = { state: Y.encodeStateAsUpdate(doc), html: renderHtml(doc), text: renderText(doc) };
  doc.destroy();
  return content;
}

export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("groups").select(sql<number>`count(*)`.as("count")).executeTakeFirstOrThrow();
  return Number(row.count) === 0;
}

/** Seeds the demo group in one transaction; returns the accounts to print. */
export async function seedDemo(db: Kysely<Database>, now = new Date()): Promise<{ email: string; role: string }[]> {
  const passwordHash = await hash(DEMO_PASSWORD);
  return db.transaction().execute(async (trx) => {
    const orgIds = new Map<string, string>();
    for (const organisation of organisations) {
      const row = await trx
        .insertInto("organisations")
        .values({ name: organisation.name, short_name: organisation.shortName ?? null, sector: organisation.sector })
        .returning("id")
        .executeTakeFirstOrThrow();
      orgIds.set(organisation.key, row.id);
    }

    const userIds = new Map<string, string>();
    for (const account of demoAccounts) {
      const row = await trx
        .insertInto("users")
        .values({
          email: account.email,
          display_name: account.displayName,
          password_hash: passwordHash,
          is_platform_admin: account.email === "admin@example.org",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      userIds.set(account.email, row.id);
    }
    // People who appear in the membership history but have no sign-in yet.
    for (const person of [
      { email: "hemi.walker@example.org", displayName: "Hemi Walker" },
      { email: "priya.naidu@example.org", displayName: "Priya Naidu" },
      { email: "ana.tupou@example.org", displayName: "Ana Tupou" },
      { email: "mereana.henare@example.org", displayName: "Mereana Hēnare" },
      { email: "david.chen@example.org", displayName: "David Chen" },
      { email: "sione.tui@example.org", displayName: "Sione Tui" },
    ]) {
      const row = await trx
        .insertInto("users")
        .values({ email: person.email, display_name: person.displayName, password_hash: null })
        .returning("id")
        .executeTakeFirstOrThrow();
      userIds.set(person.email, row.id);
    }

    const group = await trx
      .insertInto("groups")
      .values({
        code: "SSCSG",
        name: "Social Sector Commissioning Stewardship Group",
        description:
          "Oversees the move to relational commissioning of social services under the Social Sector Commissioning Action Plan 2022–2028.",
        portfolio: "Social Development and Employment",
        quorum: 4,
      })
      .returning("id")
      .executeTakeFirstOrThrow();

    const membership = async (
      email: string,
      org: string,
      role: MembershipRole,
      startsOn: string,
      extra: { endsOn?: string; endReason?: string; alternateFor?: string } = {},
    ) => {
      const row = await trx
        .insertInto("memberships")
        .values({
          group_id: group.id,
          user_id: userIds.get(email)!,
          organisation_id: orgIds.get(org)!,
          role,
          starts_on: startsOn,
          ends_on: extra.endsOn ?? null,
          end_reason: extra.endReason ?? null,
          alternate_for_id: extra.alternateFor ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return row.id;
    };
    await membership("chair@example.org", "iwi", "chair", "2026-02-01");
    await membership("secretary@example.org", "msd", "secretary", "2026-02-01");
    const memberId = await membership("member@example.org", "whaikaha", "member", "2026-02-01");
    await membership("minister@example.org", "minister", "minister_office", "2026-02-01");
    await membership("ngo@example.org", "ngo", "consultee", "2026-06-01");
    await membership("hemi.walker@example.org", "ot", "member", "2026-02-01", {
      endsOn: "2026-08-31",
      endReason: "Moved to a new role at Oranga Tamariki",
    });
    await membership("priya.naidu@example.org", "community", "member", "2026-09-01");
    await membership("ana.tupou@example.org", "whaikaha", "member", "2026-02-01", { alternateFor: memberId });
    await membership("mereana.henare@example.org", "tpk", "member", "2026-02-01");
    await membership("david.chen@example.org", "acc", "member", "2026-02-01");
    await membership("sione.tui@example.org", "dpo", "member", "2026-03-01");

    const chairId = userIds.get("chair@example.org")!;
    const secretaryId = userIds.get("secretary@example.org")!;
    const seededDocument = async (kind: "terms_of_reference" | "agenda" | "paper", title: string, blocks: DocumentBlock[]) => {
      const content = seededContent(blocks);
      const row = await trx
        .insertInto("documents")
        .values({
          group_id: group.id,
          kind,
          title,
          classification: "IN-CONFIDENCE",
          content_html: content.html,
          content_text: content.text,
          created_by: secretaryId,
          updated_by: secretaryId,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      // No update log yet: the snapshot is the whole state (last_update_id 0).
      await trx
        .insertInto("document_snapshots")
        .values({ document_id: row.id, state: content.state, last_update_id: 0 })
        .execute();
      return row;
    };
    const terms = await seededDocument("terms_of_reference", "Terms of reference", termsOfReference);
    const agenda = await seededDocument("agenda", `Agenda: ${monthAndYear(demoMeetingStartsAt(now))} hui`, agendaBlocks(demoMeetingStartsAt(now)));
    await seededDocument("paper", "Draft recommendation: relational commissioning in practice", recommendationBlocks);

    const meetingStartsAt = demoMeetingStartsAt(now);
    const meeting = await trx
      .insertInto("meetings")
      .values({
        group_id: group.id,
        title: `Stewardship Group hui, ${monthAndYear(meetingStartsAt)}`,
        starts_at: meetingStartsAt,
        duration_minutes: 120,
        location: "Level 6, 56 The Terrace, Wellington",
        online_url: "https://meet.example.org/stewardship-december",
        agenda_document_id: agenda.id,
        created_by: chairId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const items: [string, string | null, number, AgendaItemKind][] = [
      ["Karakia and whakawhanaungatanga", "Rāwiri Te Awa", 15, "karakia"],
      ["Apologies", "Chair", 5, "apologies"],
      ["Conflicts of interest", "Chair", 5, "conflicts"],
      ["Confirmation of the previous minutes", "Secretary", 10, "previous_minutes"],
      ["Draft terms of reference", "Sophie Lin", 45, "item"],
      ["General business", null, 20, "general_business"],
      ["Closing karakia", "Rāwiri Te Awa", 5, "closing"],
    ];
    let position = 1;
    for (const [title, presenter, minutes, kind] of items) {
      const item = await trx
        .insertInto("agenda_items")
        .values({ meeting_id: meeting.id, position: position++, title, presenter, minutes_allotted: minutes, kind })
        .returning("id")
        .executeTakeFirstOrThrow();
      // The terms of reference are the paper for their item.
      if (title === "Draft terms of reference") {
        await trx.insertInto("agenda_item_papers").values({ agenda_item_id: item.id, document_id: terms.id, position: 1 }).execute();
      }
    }
    return demoAccounts.map((account) => ({ email: account.email, role: account.role }));
  });
}
