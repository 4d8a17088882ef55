/**
 * The verbs a numbered paragraph opens with, as a Cabinet minute uses them, and which of them send
 * someone off to do something: recording one of those asks for its actions (owner, due date).
 */
import { type DecisionVerb, decisionVerbs } from "../../db/database.js";

export { decisionVerbs };
export type { DecisionVerb };

export const actionVerbs: readonly DecisionVerb[] = ["directed", "invited", "requested"];

export function isActionVerb(verb: string | null | undefined): boolean {
  return verb !== null && verb !== undefined && (actionVerbs as readonly string[]).includes(verb);
}

/** The verbs as a form's choices. */
export const decisionVerbOptions = decisionVerbs.map((verb) => ({ value: verb, label: verb }));
