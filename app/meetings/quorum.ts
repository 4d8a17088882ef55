/**
 * Quorum: how many members' seats are filled at a meeting, against the number the group's terms
 * of reference require (the group's `quorum` setting). A seat is a current membership with the
 * role of chair or member that is not itself an alternate; it is filled when its member is present
 * or when an alternate named for that member is present. The secretary, the Lead Minister's
 * office, observers, consultees and officials attend without counting.
 */
import type { AttendanceStatus, MembershipRole } from "../../db/database.js";
import { seatRoles } from "../members/membership-counts.js";

export interface AttendeeForQuorum {
  membershipId: string;
  role: MembershipRole;
  /** Set for an alternate: the membership they stand in for. */
  alternateForId: string | null;
  status: AttendanceStatus | null;
}

export interface Quorum {
  required: number;
  /** Seats that count towards the quorum. */
  seats: number;
  /** Seats filled by their member or an alternate. */
  filled: number;
  met: boolean;
}


export function computeQuorum(attendees: readonly AttendeeForQuorum[], required: number): Quorum {
  const seats = attendees.filter((attendee) => seatRoles.includes(attendee.role) && attendee.alternateForId === null);
  const presentAlternatesFor = new Set(
    attendees.filter((attendee) => attendee.alternateForId !== null && attendee.status === "present").map((attendee) => attendee.alternateForId),
  );
  const filled = seats.filter((seat) => seat.status === "present" || presentAlternatesFor.has(seat.membershipId)).length;
  return { required, seats: seats.length, filled, met: filled >= required };
}

/** "Quorum met: 5 of 7 members present (4 needed)." */
export function quorumSentence(quorum: Quorum): string {
  const counted = `${quorum.filled} of ${quorum.seats} member${quorum.seats === 1 ? "" : "s"} present (${quorum.required} needed)`;
  return quorum.met ? `Quorum met: ${counted}.` : `No quorum yet: ${counted}.`;
}

/** "5 of 7 members (4 needed)" */
function countedSeats(quorum: Quorum): string {
  return `${quorum.filled} of ${quorum.seats} member${quorum.seats === 1 ? "" : "s"} (${quorum.required} needed)`;
}

/** As a minute records it: "Quorum present: 5 of 7 members (4 needed)." */
export function quorumRecord(quorum: Quorum): string {
  return quorum.met ? `Quorum present: ${countedSeats(quorum)}.` : `No quorum: ${countedSeats(quorum)}.`;
}

/**
 * The rule of docs/decisions/019-decisions-and-quorum.md: a decision recorded while the meeting
 * has no quorum is recorded, never refused, and the minute says so, under the paragraph and above
 * the paragraphs. The page, its print view and the Word minute all use these words.
 */
export const DECIDED_WITHOUT_QUORUM = "Decided without a quorum.";

/** "No quorum was present: 3 of 6 members (4 needed). The decisions below were made without one.", or null with a quorum. */
export function withoutQuorumStatement(quorum: Quorum): string | null {
  return quorum.met ? null : `No quorum was present: ${countedSeats(quorum)}. The decisions below were made without one.`;
}
