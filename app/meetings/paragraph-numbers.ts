/**
 * Paragraph numbers as a minute shows them: numbered paragraphs run 1, 2, 3 … through the whole
 * minute (across headings), and each one's sub-paragraphs 1.1, 1.2 …. Numbers follow the stored
 * order (position, then when written); a confirmed minute never changes, so neither do they.
 */
export interface OrderedParagraph {
  id: string;
  parentId: string | null;
  position: number;
  createdAt: Date;
}

const byOrder = (a: OrderedParagraph, b: OrderedParagraph) =>
  a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

/** Each paragraph's number by id ("3", "3.2"); sub-paragraphs whose parent is missing get none. */
export function paragraphNumbers(paragraphs: readonly OrderedParagraph[]): Map<string, string> {
  const numbers = new Map<string, string>();
  const top = paragraphs.filter((paragraph) => paragraph.parentId === null).sort(byOrder);
  top.forEach((paragraph, index) => numbers.set(paragraph.id, String(index + 1)));
  const children = new Map<string, OrderedParagraph[]>();
  for (const paragraph of paragraphs) {
    if (paragraph.parentId === null) continue;
    const siblings = children.get(paragraph.parentId) ?? [];
    siblings.push(paragraph);
    children.set(paragraph.parentId, siblings);
  }
  for (const [parentId, siblings] of children) {
    const parentNumber = numbers.get(parentId);
    if (!parentNumber) continue;
    siblings.sort(byOrder).forEach((paragraph, index) => numbers.set(paragraph.id, `${parentNumber}.${index + 1}`));
  }
  return numbers;
}

/** The paragraphs in reading order: each numbered paragraph followed by its sub-paragraphs. */
export function inReadingOrder<T extends OrderedParagraph>(paragraphs: readonly T[]): T[] {
  const top = paragraphs.filter((paragraph) => paragraph.parentId === null).sort(byOrder);
  const ordered: T[] = [];
  for (const paragraph of top) {
    ordered.push(paragraph, ...paragraphs.filter((child) => child.parentId === paragraph.id).sort(byOrder));
  }
  return ordered;
}
