/**
 * The one table of records every page uses: a `data` table inside its scrolling region, with a
 * header row from the columns, one row a record, and the column that names the record given as a
 * row header (`<th scope="row">`) so a screen reader announces it with every cell of the row.
 */
import type { ReactNode } from "react";
import { TableScroll } from "./TableScroll.js";

/** One column: its header and what each record's cell holds. */
export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** This column names the record, so its cells are row headers. */
  rowHeader?: boolean;
  /** A class for the column's cells (not its header). */
  className?: string;
}

export interface DataTableProps<Row> {
  /**
   * Names the scrolling region for assistive technology and makes it focusable (see TableScroll).
   * Without one the region is a plain box that scrolls.
   */
  label?: string;
  /** The table's caption, shown muted or read only by screen readers. */
  caption?: { text: string; className: "muted" | "visually-hidden" };
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  /** What to say instead of the table when there are no rows (a paragraph). Without it, an empty table. */
  empty?: ReactNode;
}

export function DataTable<Row>({ label, caption, columns, rows, rowKey, empty }: DataTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <p>{empty}</p>;
  const table = (
    <table className="data">
      {caption ? <caption className={caption.className}>{caption.text}</caption> : null}
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={index} scope="col">
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((column, index) =>
              column.rowHeader ? (
                <th key={index} scope="row" className={column.className}>
                  {column.cell(row)}
                </th>
              ) : (
                <td key={index} className={column.className}>
                  {column.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return label === undefined ? <div className="table-scroll">{table}</div> : <TableScroll label={label}>{table}</TableScroll>;
}
