/**
 * The security classification marking shown at the top and bottom of every page that shows a
 * document's content (NZ Protective Security Requirements), as people and screen readers read it.
 */
export function ClassificationMarking({ classification, position }: { classification: string; position: "top" | "bottom" }) {
  return (
    <p className={`classification classification--${position}`} data-classification={classification}>
      <span className="visually-hidden">Security classification: </span>
      {classification}
    </p>
  );
}
