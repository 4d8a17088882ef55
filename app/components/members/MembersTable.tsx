/** A table of memberships (current, joining later, past, or on a date), as the members page shows them. */

import { TableScroll } from "../TableScroll.js";

/** One membership as the table shows it: names and New Zealand dates, ready to print. */
export interface MemberRow {
  id: string;
  name: string;
  organisation: string | null;
  sector: string | null;
  role: string;
  from: string;
  to: string | null;
  endReason: string | null;
  alternateFor: string | null;
}

/** `showEnd`: the memberships have ended, so the table gives the reason and no "Continuing". */
export function MembersTable({ members, caption, showEnd }: { members: MemberRow[]; caption: string; showEnd: boolean }) {
  return (
    <TableScroll label={caption}>
    <table className="data">
      <caption className="muted">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Organisation</th>
          <th scope="col">Sector</th>
          <th scope="col">Role</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        {members.map((member) => (
          <tr key={member.id}>
            <th scope="row">{member.name}</th>
            <td>{member.organisation ?? "None recorded"}</td>
            <td>{member.sector ?? ""}</td>
            <td>{member.role}</td>
            <td>{member.from}</td>
            <td>{member.to ?? (showEnd ? "" : "Continuing")}</td>
            <td>
              {member.alternateFor ? <span className="tag">Alternate for {member.alternateFor}</span> : null}
              {showEnd && member.endReason ? (
                <>
                  {member.alternateFor ? " " : null}
                  {member.endReason}
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </TableScroll>
  );
}
