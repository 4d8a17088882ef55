/**
 * The group's agenda template: standing items most Stewardship Group hui use, in order. Karakia
 * and whakawhanaungatanga are offered as openers (and a closing karakia at the end) but are the
 * convenor's choice, never assumed.
 */
import type { AgendaItemKind } from "../../db/database.js";

export interface TemplateItem {
  kind: AgendaItemKind;
  title: string;
  minutes: number;
  /** Offered as a choice when scheduling, ticked by default. */
  optional: boolean;
}

export const agendaTemplate: readonly TemplateItem[] = [
  { kind: "karakia", title: "Karakia", minutes: 5, optional: true },
  { kind: "whakawhanaungatanga", title: "Whakawhanaungatanga", minutes: 15, optional: true },
  { kind: "apologies", title: "Apologies", minutes: 5, optional: false },
  { kind: "conflicts", title: "Conflicts of interest", minutes: 5, optional: false },
  { kind: "previous_minutes", title: "Confirmation of the previous minutes", minutes: 10, optional: false },
  { kind: "general_business", title: "General business", minutes: 15, optional: false },
  { kind: "closing", title: "Closing karakia", minutes: 5, optional: true },
];

/** The items for a new meeting: the template without the optional ones left out. */
export function templateItems(includeOptional: ReadonlySet<AgendaItemKind>): TemplateItem[] {
  return agendaTemplate.filter((item) => !item.optional || includeOptional.has(item.kind));
}

/** Where the group's own items go: after the standing openers, before general business. */
export function insertBeforeGeneralBusiness<T extends { kind: AgendaItemKind }>(items: readonly T[], extra: readonly T[]): T[] {
  const at = items.findIndex((item) => item.kind === "general_business" || item.kind === "closing");
  return at === -1 ? [...items, ...extra] : [...items.slice(0, at), ...extra, ...items.slice(at)];
}
