/**
 * A proposal's settings, changeable only in the safe direction once it is open (Loomio's rule,
 * docs/decisions/020): the closing time only later; results hidden until it closes may not be
 * shown early (visible may become hidden); a named ballot may become secret only while nobody has
 * taken part, and a secret ballot never becomes named.
 */
export type ResultsSetting = "visible" | "hidden_until_closed";
export type BallotSetting = "named" | "secret";

export interface ProposalSettings {
  closesAt: Date;
  results: ResultsSetting;
  ballot: BallotSetting;
}

/** Why the change is refused, by field; empty when it may be made. */
export function settingsChangeProblems(current: ProposalSettings, next: ProposalSettings, context: { anyoneTookPart: boolean; now: Date }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (next.closesAt.getTime() < current.closesAt.getTime()) {
    problems.closesAt = "The closing time can only be moved later; the chair can close it early once everyone has taken part";
  } else if (next.closesAt.getTime() <= context.now.getTime()) {
    problems.closesAt = "Choose a closing time in the future";
  }
  if (current.results === "hidden_until_closed" && next.results === "visible") {
    problems.results = "Results hidden until it closes stay hidden: people took part on that understanding";
  }
  if (current.ballot === "secret" && next.ballot === "named") {
    problems.ballot = "A secret ballot stays secret";
  } else if (current.ballot === "named" && next.ballot === "secret" && context.anyoneTookPart) {
    problems.ballot = "Stances have already been given by name, so the ballot stays named";
  }
  return problems;
}
