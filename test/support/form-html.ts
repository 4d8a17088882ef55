/**
 * Reading a server-rendered form as a person (and a screen reader) meets it: a field is found by
 * its label's text, not by an id the form kit chose, and what describes it (its hint, its message)
 * is what its `aria-describedby` points at.
 */

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

function text(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#x27|#39);/g, (entity) => entities[entity]!)
    .trim();
}

function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
}

/** The attributes of the control the label with this text is for; throws when no label or control has it. */
export function fieldByLabel(html: string, label: string): Record<string, string> {
  const labels = [...html.matchAll(/<label for="([^"]+)"[^>]*>([\s\S]*?)<\/label>/g)];
  const found = labels.find((match) => text(match[2]!) === label);
  if (!found) throw new Error(`no label "${label}" for a control`);
  const control = new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bid="${found[1]}"[^>]*>`).exec(html);
  if (!control) throw new Error(`the label "${label}" is for no control`);
  return attributes(control[0]);
}

/** The texts of what describes the field (its hint, its message), in no particular order. */
export function descriptionsOf(html: string, label: string): string[] {
  const ids = (fieldByLabel(html, label)["aria-describedby"] ?? "").split(/\s+/).filter(Boolean);
  return ids.map((id) => {
    const element = new RegExp(`<(\\w+)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
    if (!element) throw new Error(`the field "${label}" is described by "${id}", which is not on the page`);
    return text(element[2]!);
  });
}
