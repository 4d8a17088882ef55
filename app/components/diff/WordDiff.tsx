/**
 * A word comparison (from `diffWords`) for reading: a summary, a legend, and the text with
 * insertions in <ins> and deletions in <del>. Each change also says in words what it is
 * ("inserted", "deleted") for screen readers, which do not announce <ins>/<del>.
 */
import type { DiffPart } from "../../documents/word-diff.js";

export function WordDiff({
  parts,
  summary,
  label = "Comparison",
}: {
  parts: DiffPart[];
  summary: { inserted: number; deleted: number };
  label?: string;
}) {
  const unchanged = parts.every((part) => part.kind === "equal");
  return (
    <>
      <p role="status">
        {unchanged
          ? "The text is the same."
          : `${summary.inserted} ${summary.inserted === 1 ? "word" : "words"} inserted and ${summary.deleted} ${summary.deleted === 1 ? "word" : "words"} deleted.`}
      </p>
      {unchanged ? null : (
        <>
          <p className="diff-legend">
            <ins>Inserted text is underlined on green</ins> and <del>deleted text is struck through on red</del>. Screen
            readers announce each change as “inserted” or “deleted”.
          </p>
          <section className="diff document-text-frame" aria-label={label}>
            {parts.map((part, index) =>
              part.kind === "equal" ? (
                <span key={index}>{part.text}</span>
              ) : part.kind === "insert" ? (
                <ins key={index}>
                  <span className="visually-hidden">[inserted: </span>
                  {part.text}
                  <span className="visually-hidden">] </span>
                </ins>
              ) : (
                <del key={index}>
                  <span className="visually-hidden">[deleted: </span>
                  {part.text}
                  <span className="visually-hidden">] </span>
                </del>
              ),
            )}
          </section>
        </>
      )}
    </>
  );
}
