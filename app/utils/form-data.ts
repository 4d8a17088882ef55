/** Reading posted forms: a field as text, cut to a length, "" when missing or not text. */
export function formText(form: FormData, name: string, max = 5000): string {
  const value = form.get(name);
  return typeof value === "string" ? value.slice(0, max) : "";
}

/** Every value of a repeated field, as text. */
export function formTexts(form: FormData, name: string, max = 5000): string[] {
  return form.getAll(name).filter((value): value is string => typeof value === "string").map((value) => value.slice(0, max));
}
