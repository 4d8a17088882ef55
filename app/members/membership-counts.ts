/**
 * The three counts of "the members", each named for what it is, so the quorum, the decisions
 * register and the members page give the same figure for the same thing:
 *
 * - member seats: memberships with the role of chair or member that are not alternates (the seats
 *   a quorum counts, app/meetings/quorum.ts);
 * - people with a seat or alternate: those, and the alternates named for them;
 * - everyone with access: every membership, the secretary, the Lead Minister's office, observers,
 *   officials and consultees included.
 */
import type { MembershipRole } from "../../db/database.js";

/** The roles that hold a seat (when the membership is not an alternate's). */
export const seatRoles: readonly MembershipRole[] = ["chair", "member"];

export interface MembershipCounts {
  seats: number;
  seatsAndAlternates: number;
  withAccess: number;
}

/** Counts memberships in force on one date. */
export function countMemberships(memberships: readonly { role: MembershipRole; alternateForId: string | null }[]): MembershipCounts {
  const seats = memberships.filter((membership) => seatRoles.includes(membership.role) && membership.alternateForId === null).length;
  const alternates = memberships.filter((membership) => membership.alternateForId !== null).length;
  return { seats, seatsAndAlternates: seats + alternates, withAccess: memberships.length };
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "6 member seats · 7 people with a seat or alternate · 10 people with access". */
export function membershipCountsSentence(counts: MembershipCounts): string {
  return [
    plural(counts.seats, "member seat", "member seats"),
    plural(counts.seatsAndAlternates, "person with a seat or alternate", "people with a seat or alternate"),
    plural(counts.withAccess, "person with access", "people with access"),
  ].join(" · ");
}
