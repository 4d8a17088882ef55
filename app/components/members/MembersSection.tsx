/** One list of the members page (current, joining later, past): its heading, and its table or what to say when it is empty. */
import { type MemberRow, MembersTable } from "./MembersTable.js";

export function MembersSection({
  id,
  heading,
  members,
  caption,
  showEnd = false,
  whenEmpty,
}: {
  id: string;
  heading: string;
  members: MemberRow[];
  caption: string;
  showEnd?: boolean;
  /** What to say when there is nobody; without it an empty list is not shown at all. */
  whenEmpty?: string;
}) {
  if (members.length === 0 && !whenEmpty) return null;
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{heading}</h2>
      {members.length === 0 ? <p>{whenEmpty}</p> : <MembersTable members={members} caption={caption} showEnd={showEnd} />}
    </section>
  );
}
