/** A table of memberships (current, joining later, past, or on a date), as the members page shows them. */

import { DataTable, type Column } from "../DataTable.js";

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
  const columns: Column<MemberRow>[] = [
    { header: "Name", rowHeader: true, cell: (member) => member.name },
    { header: "Organisation", cell: (member) => member.organisation ?? "None recorded" },
    { header: "Sector", cell: (member) => member.sector ?? "" },
    { header: "Role", cell: (member) => member.role },
    { header: "From", cell: (member) => member.from },
    { header: "To", cell: (member) => member.to ?? (showEnd ? "" : "Continuing") },
    {
      header: "Notes",
      cell: (member) => (
        <>
          {member.alternateFor ? <span className="tag">Alternate for {member.alternateFor}</span> : null}
          {showEnd && member.endReason ? (
            <>
              {member.alternateFor ? " " : null}
              {member.endReason}
            </>
          ) : null}
        </>
      ),
    },
  ];
  return <DataTable label={caption} caption={{ text: caption, className: "muted" }} columns={columns} rows={members} rowKey={(member) => member.id} />;
}
