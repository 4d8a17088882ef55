/**
 * The meeting's agenda: numbered items with presenter, time and papers, the item the meeting is
 * on now marked for everyone. The chair or secretary reorders items with the "Move up" and "Move
 * down" buttons (keyboard and mouse, and without JavaScript) or by dragging an item with the
 * mouse; edits or removes an item; adds one. In a live meeting the chair can go to any item.
 */
import { Form, Link, useActionData, useFetcher } from "@remix-run/react";
import { type DragEvent, useEffect, useState } from "react";
import { addAgendaItemSchema, updateAgendaItemSchema } from "../../meetings/schemas.js";
import { IntentInput, TextField, formProps, resultFor, useAppForm } from "../forms/fields.js";
import { TeReo } from "../TeReo.js";
import { IntentButton } from "./IntentButton.js";
import { refusalOf, resultForOne } from "./ReplyErrors.js";

export interface AgendaListItem {
  id: string;
  position: number;
  title: string;
  presenter: string | null;
  minutesAllotted: number | null;
  kind: string;
  papers: { id: string; title: string }[];
}

export function AgendaList({
  groupId,
  actionPath,
  items,
  currentItemId,
  mayEdit,
  mayGoTo,
  documents,
}: {
  groupId: string;
  actionPath: string;
  items: AgendaListItem[];
  currentItemId: string | null;
  mayEdit: boolean;
  mayGoTo: boolean;
  documents: { id: string; title: string }[];
}) {
  // The reorder updates in place (js=1): the server answers success, or the form's reply with why not.
  const mover = useFetcher<unknown>();
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<number | null>(null);
  const [pendingMove, setPendingMove] = useState<{ title: string; toPosition: number } | null>(null);
  const [announcement, setAnnouncement] = useState("");

  // Say what happened once the server has answered: the move, or why it was refused.
  useEffect(() => {
    if (mover.state !== "idle" || !pendingMove || !mover.data) return;
    const refused = refusalOf(mover.data);
    setAnnouncement(refused ?? `Moved “${pendingMove.title}” to position ${pendingMove.toPosition}.`);
    setPendingMove(null);
  }, [mover.state, mover.data, pendingMove]);

  const move = (itemId: string, toPosition: number, title: string) => {
    setPendingMove({ title, toPosition });
    mover.submit({ intent: "agenda.move", itemId, toPosition: String(toPosition), js: "1" }, { method: "post", action: actionPath });
  };
  const onDrop = (event: DragEvent, position: number) => {
    event.preventDefault();
    const item = items.find((candidate) => candidate.id === dragging);
    setDragging(null);
    setDropTarget(null);
    if (item && item.position !== position) move(item.id, position, item.title);
  };

  if (items.length === 0) return <p>The agenda has no items yet.</p>;
  return (
    <>
      <p className={announcement && refusalOf(mover.data) ? "field-error" : "visually-hidden"} role="status">
        {announcement}
      </p>
      <ol className="agenda-list">
        {items.map((item, index) => {
          const current = item.id === currentItemId;
          return (
            <li
              key={item.id}
              className={`agenda-item${current ? " agenda-item--current" : ""}${dropTarget === item.position ? " agenda-item--drop" : ""}`}
              aria-current={current ? "step" : undefined}
              draggable={mayEdit}
              onDragStart={(event) => {
                setDragging(item.id);
                event.dataTransfer.effectAllowed = "move";
                event.dataTransfer.setData("text/plain", item.id);
              }}
              onDragEnd={() => {
                setDragging(null);
                setDropTarget(null);
              }}
              onDragOver={(event) => {
                if (!dragging) return;
                event.preventDefault();
                setDropTarget(item.position);
              }}
              onDrop={(event) => onDrop(event, item.position)}
            >
              <div className="agenda-item__main">
                <span className="agenda-item__number">{item.position}.</span>
                <div>
                  <strong>
                    <TeReo text={item.title} />
                  </strong>
                  {current ? <span className="tag agenda-item__now">Now</span> : null}
                  <br />
                  <span className="muted">
                    {[item.presenter ? `Presenter: ${item.presenter}` : null, item.minutesAllotted ? `${item.minutesAllotted} minutes` : null]
                      .filter(Boolean)
                      .join(" · ")}
                  </span>
                  {item.papers.length > 0 ? (
                    <ul className="agenda-item__papers" aria-label={`Papers for item ${item.position}`}>
                      {item.papers.map((paper) => (
                        <li key={paper.id}>
                          <Link to={`/groups/${groupId}/documents/${paper.id}`}>
                            <TeReo text={paper.title} />
                          </Link>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </div>
              </div>
              {mayGoTo || mayEdit ? (
                <div className="agenda-item__tools">
                  {mayGoTo && !current ? (
                    <IntentButton intent="live.move" values={{ itemId: item.id }} action={actionPath} label={`Go to this item: ${item.title}`}>
                      Go to this item
                    </IntentButton>
                  ) : null}
                  {mayEdit ? (
                    <>
                      <MoveButton item={item} to={item.position - 1} actionPath={actionPath} onMove={move} disabled={index === 0}>
                        Move up
                      </MoveButton>
                      <MoveButton item={item} to={item.position + 1} actionPath={actionPath} onMove={move} disabled={index === items.length - 1}>
                        Move down
                      </MoveButton>
                      <details className="agenda-item__edit">
                        <summary>
                          Change<span className="visually-hidden"> item {item.position}</span>
                        </summary>
                        <AgendaItemForm actionPath={actionPath} item={item} documents={documents} />
                        {item.id !== currentItemId ? (
                          <IntentButton intent="agenda.remove" values={{ itemId: item.id }} action={actionPath}>
                            Remove this item
                          </IntentButton>
                        ) : null}
                      </details>
                    </>
                  ) : null}
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
    </>
  );
}

/**
 * "Move up" and "Move down": a plain form without JavaScript; with it, the move is sent in place
 * (the list follows, and the status line says what happened).
 */
function MoveButton({
  item,
  to,
  actionPath,
  onMove,
  disabled,
  children,
}: {
  item: AgendaListItem;
  to: number;
  actionPath: string;
  onMove: (itemId: string, toPosition: number, title: string) => void;
  disabled: boolean;
  children: string;
}) {
  return (
    <Form
      method="post"
      action={actionPath}
      onSubmit={(event) => {
        event.preventDefault();
        onMove(item.id, to, item.title);
      }}
    >
      <IntentInput value="agenda.move" />
      <input type="hidden" name="itemId" value={item.id} />
      <input type="hidden" name="toPosition" value={to} />
      <button type="submit" className="button button--secondary" disabled={disabled} aria-label={`${children}: ${item.title}`}>
        {children}
      </button>
    </Form>
  );
}

/** Adding an item, or changing one: title, presenter, time, papers. */
export function AgendaItemForm({
  actionPath,
  item,
  documents,
}: {
  actionPath: string;
  item?: AgendaListItem;
  documents: { id: string; title: string }[];
}) {
  const actionData = useActionData();
  const [form, fields] = useAppForm(item ? updateAgendaItemSchema : addAgendaItemSchema, {
    id: item ? `agenda-item-${item.id}` : "agenda-item-new",
    lastResult: item ? resultForOne(actionData, "agenda.update", "itemId", item.id) : resultFor(actionData, "agenda.add"),
    defaultValue: item ? { title: item.title, presenter: item.presenter ?? "", minutesAllotted: item.minutesAllotted ?? "" } : undefined,
  });
  const linked = new Set(item?.papers.map((paper) => paper.id) ?? []);
  return (
    <Form method="post" action={actionPath} className="agenda-item-form" {...formProps(form)}>
      <IntentInput value={item ? "agenda.update" : "agenda.add"} />
      {item ? <input type="hidden" name="itemId" value={item.id} /> : null}
      <TextField meta={fields.title} label="Title" />
      <div className="field-row">
        <TextField meta={fields.presenter} label="Presenter (optional)" />
        <TextField meta={fields.minutesAllotted} label="Minutes (optional)" type="number" />
      </div>
      {documents.length > 0 ? (
        <fieldset className="fieldset">
          <legend>Papers</legend>
          {documents.map((document) => (
            <div className="field field--check" key={document.id}>
              <label>
                <input type="checkbox" name={fields.paperId.name} value={document.id} defaultChecked={linked.has(document.id)} /> <TeReo text={document.title} />
              </label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <button type="submit" className="button">
        {item ? "Save the item" : "Add the item"}
      </button>
    </Form>
  );
}
