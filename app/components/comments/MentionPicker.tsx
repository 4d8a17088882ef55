/**
 * @mentions in a comment box. Typing `@` and the start of a name lists the people who may read the
 * document (name and organisation); arrow keys move through the list, Enter or Tab picks, Escape
 * closes it. It follows the ARIA combobox pattern for a text area: the box keeps focus, names the
 * list it controls (`aria-controls`), points at the highlighted person (`aria-activedescendant`)
 * and a polite live region says how many people match. A pick writes `@Full Name` into the text
 * and keeps the person's id in a hidden `mention` field, so the comment refers to that person even
 * where two people share a name (the server checks every id: app/models/comments.server.ts).
 */
import {
  type KeyboardEvent,
  type RefObject,
  createContext,
  useCallback,
  useContext,
  useId,
  useMemo,
  useState,
} from "react";

export interface MentionOption {
  id: string;
  name: string;
  organisation: string | null;
}

/** The people a comment on this page may @mention; the document page provides them. */
export const MentionPeopleContext = createContext<readonly MentionOption[]>([]);

const LIST_MAX = 8;
const QUERY_MAX = 40;

/** Lower case without macrons, so "rawiri" finds "Rāwiri". */
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLocaleLowerCase("en-NZ");
}

/** The `@query` the caret is in, if any: an @ at the start or after a space or bracket, no line break since. */
export function mentionQueryAt(
  text: string,
  caret: number
): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at === -1 || caret - at - 1 > QUERY_MAX) return null;
  if (at > 0 && !/[\s([{"'“‘]/u.test(before.charAt(at - 1))) return null;
  const query = before.slice(at + 1);
  if (/[\n\r]/.test(query) || /^\s/.test(query)) return null;
  return { start: at, query };
}

/** Who matches: every word of the query starts a word of the name, or the name contains it. */
export function matchingPeople(
  people: readonly MentionOption[],
  query: string
): MentionOption[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return people.slice(0, LIST_MAX);
  return people
    .filter((person) => {
      const name = fold(person.name);
      const nameWords = name.split(/[\s-]+/);
      return (
        words.every((word) =>
          nameWords.some((part) => part.startsWith(word))
        ) || name.includes(words.join(" "))
      );
    })
    .slice(0, LIST_MAX);
}

/**
 * Wires a comment text area to the @ list. `box` is the text area; returns the props it needs,
 * the list to render below it, and the hidden fields for the picks still named in the text.
 */
export function useMentionPicker(box: RefObject<HTMLTextAreaElement | null>) {
  const people = useContext(MentionPeopleContext);
  const listId = useId();
  const [query, setQuery] = useState<{ start: number; query: string } | null>(
    null
  );
  const [active, setActive] = useState(0);
  const [picked, setPicked] = useState<MentionOption[]>([]);
  const [text, setText] = useState("");
  const matches = useMemo(
    () => (query ? matchingPeople(people, query.query) : []),
    [people, query]
  );
  const open = matches.length > 0;

  const look = useCallback(() => {
    const element = box.current;
    if (!element) return;
    setText(element.value);
    const found =
      element.selectionStart === element.selectionEnd
        ? mentionQueryAt(element.value, element.selectionStart)
        : null;
    setQuery(found);
    setActive(0);
  }, [box]);

  const close = useCallback(() => setQuery(null), []);

  const pick = useCallback(
    (person: MentionOption) => {
      const element = box.current;
      if (!element || !query) return;
      const end = query.start + 1 + query.query.length;
      element.setRangeText(`@${person.name} `, query.start, end, "end");
      // Conform and React follow the box through its input events.
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.focus();
      setPicked((earlier) =>
        earlier.some((one) => one.id === person.id)
          ? earlier
          : [...earlier, person]
      );
      setText(element.value);
      setQuery(null);
    },
    [box, query]
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
      if (!open) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        setActive(
          (index) =>
            (index + (event.key === "ArrowDown" ? 1 : matches.length - 1)) %
            matches.length
        );
        return true;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        pick(matches[Math.min(active, matches.length - 1)]!);
        return true;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return true;
      }
      return false;
    },
    [open, matches, active, pick, close]
  );

  const optionId = (index: number) => `${listId}-option-${index}`;
  const boxProps = {
    "aria-autocomplete": "list" as const,
    "aria-controls": listId,
    "aria-activedescendant": open
      ? optionId(Math.min(active, matches.length - 1))
      : undefined,
    onInput: look,
    onClick: look,
    onKeyUp: (event: KeyboardEvent<HTMLTextAreaElement>) => {
      if (
        event.key === "ArrowLeft" ||
        event.key === "ArrowRight" ||
        event.key === "Home" ||
        event.key === "End"
      )
        look();
    },
    onBlur: close,
  };

  const list = (
    <>
      <ul
        id={listId}
        role="listbox"
        aria-label="People to mention"
        className="mention-list"
        hidden={!open}
      >
        {matches.map((person, index) => (
          <li
            key={person.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            className="mention-list__option"
            // Picking with the mouse must not take focus from the box first.
            onMouseDown={(event) => {
              event.preventDefault();
              pick(person);
            }}
          >
            <span className="mention-list__name">{person.name}</span>
            {person.organisation ? (
              <span className="mention-list__organisation">
                {person.organisation}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="visually-hidden" aria-live="polite">
        {open
          ? `${matches.length} ${
              matches.length === 1 ? "person matches" : "people match"
            }; up and down arrows to choose, Enter to pick.`
          : ""}
      </p>
    </>
  );

  // A pick counts while its @name is still in the words.
  const hiddenFields = picked
    .filter((person) =>
      text
        .toLocaleLowerCase("en-NZ")
        .includes(`@${person.name.toLocaleLowerCase("en-NZ")}`)
    )
    .map((person) => (
      <input key={person.id} type="hidden" name="mention" value={person.id} />
    ));

  const reset = useCallback(() => {
    setPicked([]);
    setText("");
    setQuery(null);
  }, []);

  return {
    available: people.length > 0,
    boxProps,
    onKeyDown,
    list,
    hiddenFields,
    reset,
  };
}
