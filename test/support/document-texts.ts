/** The texts of a collaborative document, as comment anchors see them. */
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../app/documents/content.js";

/** Every text (paragraph, heading, list item …) in the document, in document order. */
export function textsInDocumentOrder(doc: Y.Doc): Y.XmlText[] {
  const texts: Y.XmlText[] = [];
  const visit = (node: Y.XmlElement | Y.XmlFragment) => {
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) texts.push(child);
      else if (child instanceof Y.XmlElement) visit(child);
    }
  };
  visit(doc.getXmlFragment(COLLAB_FIELD));
  return texts;
}
