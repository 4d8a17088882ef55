/**
 * The editor's formatting toolbar: one tab stop (role="toolbar" with a roving tabindex, moved by
 * the arrow keys, Home and End), buttons named in words, toggles that report aria-pressed, and a
 * small labelled form for links instead of a browser prompt (a Conform form with linkSchema).
 */
import { type Editor, useEditorState } from "@tiptap/react";
import { type KeyboardEvent, useRef, useState } from "react";
import { linkSchema } from "../../documents/schemas.js";
import { TextField, formProps, useAppForm } from "../forms/fields.js";

interface ToolbarButton {
  id: string;
  label: string;
  /** Present for toggles: whether the formatting is on at the selection. */
  pressed?: boolean;
  disabled?: boolean;
  run(): void;
}

export function EditorToolbar({
  editor,
  onComment,
  commentDisabled = false,
}: {
  editor: Editor;
  /** Present when the person may comment: a "Comment" button for the selected words. */
  onComment?: () => void;
  commentDisabled?: boolean;
}) {
  const state = useEditorState({
    editor,
    selector: ({ editor: current }) => ({
      heading2: current.isActive("heading", { level: 2 }),
      heading3: current.isActive("heading", { level: 3 }),
      bold: current.isActive("bold"),
      italic: current.isActive("italic"),
      link: current.isActive("link"),
      bulletList: current.isActive("bulletList"),
      orderedList: current.isActive("orderedList"),
      canIndent: current.can().sinkListItem("listItem"),
      canOutdent: current.can().liftListItem("listItem"),
      inTable: current.isActive("table"),
      href: (current.getAttributes("link").href as string | undefined) ?? "",
      // The Collaboration extension's undo and redo: only this person's own changes.
      canUndo: current.can().undo(),
      canRedo: current.can().redo(),
    }),
  });
  const [activeIndex, setActiveIndex] = useState(0);
  const [linkOpen, setLinkOpen] = useState(false);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const chain = () => editor.chain().focus();
  const items: ToolbarButton[] = [
    { id: "undo", label: "Undo", disabled: !state.canUndo, run: () => chain().undo().run() },
    { id: "redo", label: "Redo", disabled: !state.canRedo, run: () => chain().redo().run() },
    { id: "h2", label: "Heading 2", pressed: state.heading2, run: () => chain().toggleHeading({ level: 2 }).run() },
    { id: "h3", label: "Heading 3", pressed: state.heading3, run: () => chain().toggleHeading({ level: 3 }).run() },
    { id: "bold", label: "Bold", pressed: state.bold, run: () => chain().toggleBold().run() },
    { id: "italic", label: "Italic", pressed: state.italic, run: () => chain().toggleItalic().run() },
    {
      id: "link",
      label: "Link",
      pressed: state.link,
      run: () => setLinkOpen(true),
    },
    { id: "bullets", label: "Bulleted list", pressed: state.bulletList, run: () => chain().toggleBulletList().run() },
    { id: "numbers", label: "Numbered list", pressed: state.orderedList, run: () => chain().toggleOrderedList().run() },
    { id: "indent", label: "Indent", disabled: !state.canIndent, run: () => chain().sinkListItem("listItem").run() },
    { id: "outdent", label: "Outdent", disabled: !state.canOutdent, run: () => chain().liftListItem("listItem").run() },
    {
      id: "table",
      label: "Insert table",
      disabled: state.inTable,
      run: () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
    },
    ...(onComment ? [{ id: "comment", label: "Comment", disabled: commentDisabled, run: onComment }] : []),
  ];

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const last = items.length - 1;
    const next =
      event.key === "ArrowRight"
        ? activeIndex === last
          ? 0
          : activeIndex + 1
        : event.key === "ArrowLeft"
          ? activeIndex === 0
            ? last
            : activeIndex - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    setActiveIndex(next);
    buttons.current[next]?.focus();
  }

  function closeLink() {
    setLinkOpen(false);
    editor.commands.focus();
  }

  function applyLink(href: string) {
    if (editor.state.selection.empty && !editor.isActive("link")) {
      editor
        .chain()
        .focus()
        .insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] })
        .run();
    } else {
      editor.chain().focus().extendMarkRange("link").setLink({ href }).run();
    }
    setLinkOpen(false);
  }

  function removeLink() {
    editor.chain().focus().extendMarkRange("link").unsetLink().run();
    setLinkOpen(false);
  }

  return (
    <>
      <div className="editor-toolbar" role="toolbar" aria-label="Formatting" onKeyDown={onKeyDown}>
        {items.map((item, index) => (
          <button
            key={item.id}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            type="button"
            className={`editor-toolbar__button editor-toolbar__button--${item.id}`}
            tabIndex={index === activeIndex ? 0 : -1}
            aria-label={item.label}
            aria-pressed={item.pressed === undefined ? undefined : item.pressed}
            aria-disabled={item.disabled ? true : undefined}
            // Keep the text selection in the editor while a button is clicked.
            onMouseDown={(event) => event.preventDefault()}
            onFocus={() => setActiveIndex(index)}
            onClick={() => {
              if (!item.disabled) item.run();
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
      {linkOpen ? (
        <LinkForm href={state.href} onApply={applyLink} onRemove={state.link ? removeLink : undefined} onClose={closeLink} />
      ) : null}
    </>
  );
}

/** The link's address, checked in the browser (nothing is posted): applying it changes the editor. */
function LinkForm({
  href,
  onApply,
  onRemove,
  onClose,
}: {
  href: string;
  onApply: (href: string) => void;
  onRemove?: () => void;
  onClose: () => void;
}) {
  const [form, fields] = useAppForm(linkSchema, { id: "editor-link", defaultValue: { href } });
  const { onSubmit, ...props } = formProps(form);
  return (
    <form
      className="editor-link-form"
      aria-label="Link"
      {...props}
      onSubmit={(event) => {
        // Conform shows the message and stops an address that is not allowed.
        onSubmit?.(event);
        if (event.defaultPrevented) return;
        event.preventDefault();
        const parsed = linkSchema.safeParse({ href: new FormData(event.currentTarget).get("href") });
        if (parsed.success) onApply(parsed.data.href);
      }}
    >
      <TextField
        meta={fields.href}
        label="Link address"
        type="url"
        inputMode="url"
        placeholder="https://"
        // The form opens because the person asked for it: take them to it.
        autoFocus
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            onClose();
          }
        }}
      />
      <button type="submit" className="button">
        Apply link
      </button>
      {onRemove ? (
        <button type="button" className="button button--secondary" onClick={onRemove}>
          Remove link
        </button>
      ) : null}
      <button type="button" className="button button--secondary" onClick={onClose}>
        Cancel
      </button>
    </form>
  );
}
