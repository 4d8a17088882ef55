/**
 * The meeting's agenda: numbered items with presenter, time and papers, the item the meeting is
 * on now marked for everyone. The chair or secretary reorders items with the "Move up" and "Move
 * down" buttons (keyboard and mouse, and without JavaScript) or by dragging an item with the
 * mouse; edits or removes an item; adds one. In a live meeting the chair can go to any item.
 */
import { Form, Link, useFetcher } from "@remix-run/react";
import { type DragEvent, useEffect, useState } from "react";
import { Field } from "../forms/Field.js";
import { TeReo } from "../TeReo.js";

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
  const mover = useFetcher<{ ok?: boolean; formError?: string }>();
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<number | null>(null);
  const [pendingMove, setPendingMove] = useState<{ title: string; toPosition: number } | null>(null);
  const [announcement, setAnnouncement] = useState("");

  // Say what happened once the server has answered: the move, or why it was refused.
  useEffect(() => {
    if (mover.state !== "idle" || !pendingMove || !mover.data) return;
    setAnnouncement(mover.data.ok ? `Moved “${pendingMove.title}” to position ${pendingMove.toPosition}.` : (mover.data.formError ?? "The item could not be moved."));
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
      <p className={announcement && mover.data && !mover.data.ok ? "field-error" : "visually-hidden"} role="status">
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
                    <Form method="post" action={actionPath}>
                      <input type="hidden" name="intent" value="live.move" />
                      <input type="hidden" name="itemId" value={item.id} />
                      <button type="submit" className="button button--secondary" aria-label={`Go to this item: ${item.title}`}>
                        Go to this item
                      </button>
                    </Form>
                  ) : null}
                  {mayEdit ? (
                    <>
                      <Form method="post" action={actionPath} onSubmit={(event) => {
                        event.preventDefault();
                        move(item.id, item.position - 1, item.title);
                      }}>
                        <input type="hidden" name="intent" value="agenda.move" />
                        <input type="hidden" name="itemId" value={item.id} />
                        <input type="hidden" name="toPosition" value={item.position - 1} />
                        <button type="submit" className="button button--secondary" disabled={index === 0} aria-label={`Move up: ${item.title}`}>
                          Move up
                        </button>
                      </Form>
                      <Form method="post" action={actionPath} onSubmit={(event) => {
                        event.preventDefault();
                        move(item.id, item.position + 1, item.title);
                      }}>
                        <input type="hidden" name="intent" value="agenda.move" />
                        <input type="hidden" name="itemId" value={item.id} />
                        <input type="hidden" name="toPosition" value={item.position + 1} />
                        <button
                          type="submit"
                          className="button button--secondary"
                          disabled={index === items.length - 1}
                          aria-label={`Move down: ${item.title}`}
                        >
                          Move down
                        </button>
                      </Form>
                      <details className="agenda-item__edit">
                        <summary>
                          Change<span className="visually-hidden"> item {item.position}</span>
                        </summary>
                        <AgendaItemForm actionPath={actionPath} item={item} documents={documents} />
                        {item.id !== currentItemId ? (
                          <Form method="post" action={actionPath}>
                            <input type="hidden" name="intent" value="agenda.remove" />
                            <input type="hidden" name="itemId" value={item.id} />
                            <button type="submit" className="button button--secondary">
                              Remove this item
                            </button>
                          </Form>
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
  const prefix = item ? `item-${item.id}` : "new-item";
  const linked = new Set(item?.papers.map((paper) => paper.id) ?? []);
  return (
    <Form method="post" action={actionPath} className="agenda-item-form">
      <input type="hidden" name="intent" value={item ? "agenda.update" : "agenda.add"} />
      {item ? <input type="hidden" name="itemId" value={item.id} /> : null}
      <Field name="title" id={`${prefix}-title`} label="Title">
        {(control) => <input {...control} type="text" required maxLength={200} defaultValue={item?.title ?? ""} />}
      </Field>
      <div className="field-row">
        <Field name="presenter" id={`${prefix}-presenter`} label="Presenter (optional)">
          {(control) => <input {...control} type="text" maxLength={200} defaultValue={item?.presenter ?? ""} />}
        </Field>
        <Field name="minutesAllotted" id={`${prefix}-minutes`} label="Minutes (optional)">
          {(control) => <input {...control} type="number" min={1} max={600} defaultValue={item?.minutesAllotted ?? ""} />}
        </Field>
      </div>
      {documents.length > 0 ? (
        <fieldset className="fieldset">
          <legend>Papers</legend>
          {documents.map((document) => (
            <div className="field field--check" key={document.id}>
              <label>
                <input type="checkbox" name="paperId" value={document.id} defaultChecked={linked.has(document.id)} /> <TeReo text={document.title} />
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
