/**
 * The security classification marking shown at the top and bottom of every page that shows a
 * document's content (NZ Protective Security Requirements), as people and screen readers read it.
 * A `note` (such as "DRAFT") goes in the same band, so it prints on every page with the marking.
 */
export function ClassificationMarking({ classification, position, note }: { classification: string; position: "top" | "bottom"; note?: string }) {
  return (
    <p className={`classification classification--${position}`} data-classification={classification}>
      <span className="visually-hidden">Security classification: </span>
      {classification}
      {note ? ` · ${note}` : null}
    </p>
  );
}
