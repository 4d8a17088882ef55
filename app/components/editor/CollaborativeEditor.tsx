/**
 * The co-editing surface: a TipTap editor bound to the document's Yjs state, synced with the
 * server over the y-websocket protocol (/collab/<documentId>), kept on this device in IndexedDB
 * so typing survives going offline and reloading, with everyone's carets and names.
 *
 * Browser only: the route renders it after hydration (it is loaded with React.lazy), so nothing
 * here runs during server rendering. Hiding the toolbar is not the control for read-only people:
 * the server drops their updates (docs/ARCHITECTURE.md).
 */
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { IndexeddbPersistence } from "y-indexeddb";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../documents/content.js";
import { CommentForm } from "../comments/CommentsPanel.js";
import { EditorToolbar } from "./EditorToolbar.js";
import { CommentHighlights, type CommentTarget, type HighlightAnchor, type Reanchor, commentTargetForSelection, setHighlightAnchors } from "./comment-highlights.js";
import { documentEditorExtensions } from "../../documents/editor-schema.js";
import { type SaveStatus, saveStatusText, trackSaveStatus } from "./save-status.js";
import { useParagraphTarget } from "./paragraph-target.js";

export interface CollaborativeEditorProps {
  documentId: string;
  user: { id: string; name: string; colour: string };
  editable: boolean;
  /** Anchored comments: whether this person may start one, where to post it, and what to highlight. */
  comments?: EditorComments;
}

export interface EditorComments {
  mayComment: boolean;
  actionPath: string;
  /** Open threads whose words still exist. */
  anchors: HighlightAnchor[];
}

interface CollaborationSession {
  ydoc: Y.Doc;
  provider: WebsocketProvider;
}

/** The Y.Doc, its IndexedDB copy and its websocket provider, for as long as the page shows the document. */
function useCollaborationSession(documentId: string, userId: string): { session: CollaborationSession | null; status: SaveStatus } {
  const [session, setSession] = useState<CollaborationSession | null>(null);
  const [status, setStatus] = useState<SaveStatus>("connecting");

  useEffect(() => {
    const ydoc = new Y.Doc();
    // One local copy per person and document: on a shared computer, one person's unsent edits are
    // never sent under the next person's session.
    const persistence = new IndexeddbPersistence(`stewardship-${userId}-${documentId}`, ydoc);
    const serverUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/collab`;
    // ?saved=1 asks the server for its "saved" messages (type 100), which drive the status line.
    const provider = new WebsocketProvider(serverUrl, documentId, ydoc, { connect: false, params: { saved: "1" } });
    const stopTracking = trackSaveStatus(provider, ydoc, setStatus);
    // When the browser knows it is offline, stop trying: changes stay in the Y.Doc and IndexedDB,
    // and sync step 1/2 sends the server whatever it is missing when the network returns.
    const goOffline = () => provider.disconnect();
    const goOnline = () => provider.connect();
    window.addEventListener("offline", goOffline);
    window.addEventListener("online", goOnline);
    if (navigator.onLine) provider.connect();
    setSession({ ydoc, provider });
    return () => {
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("online", goOnline);
      stopTracking();
      provider.destroy();
      void persistence.destroy();
      ydoc.destroy();
    };
  }, [documentId, userId]);

  return { session, status };
}

/** A caret with the person's name above it. Screen readers hear who is here from the presence list instead. */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const colour = typeof user.color === "string" ? user.color : "#3d4f5c";
  const name = typeof user.name === "string" ? user.name : "Someone";
  const caret = document.createElement("span");
  caret.className = "collaboration-carets__caret";
  caret.setAttribute("aria-hidden", "true");
  caret.style.borderColor = colour;
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.style.backgroundColor = colour;
  label.textContent = name;
  caret.append(label);
  return caret;
}

/**
 * Threads whose words the highlights found again elsewhere, posted (`reanchor`) once this
 * browser's edits are saved, so the server's copy holds the text the new positions point into.
 * Each new position is posted once; a refusal (the server found something else) is not retried
 * until the words move again.
 */
function useReanchorPosting(actionPath: string | undefined, status: SaveStatus) {
  const waiting = useRef(new Map<string, Reanchor>());
  const posted = useRef(new Set<string>());
  const [count, setCount] = useState(0);
  const onReanchor = useCallback((moved: Reanchor[]) => {
    let added = false;
    for (const move of moved) {
      const key = `${move.threadId} ${move.anchorStart} ${move.anchorEnd}`;
      if (posted.current.has(key)) continue;
      waiting.current.set(move.threadId, move);
      added = true;
    }
    if (added) setCount((value) => value + 1);
  }, []);
  useEffect(() => {
    if (!actionPath || status !== "saved" || waiting.current.size === 0) return;
    const moves = [...waiting.current.values()];
    waiting.current.clear();
    for (const move of moves) {
      posted.current.add(`${move.threadId} ${move.anchorStart} ${move.anchorEnd}`);
      const body = new FormData();
      body.set("intent", "reanchor");
      body.set("threadId", move.threadId);
      body.set("anchorStart", move.anchorStart);
      body.set("anchorEnd", move.anchorEnd);
      // The answer needs no reading: a stored anchor reaches every open page by `comment:changed`.
      fetch(actionPath, { method: "POST", body, headers: { Accept: "application/json" } }).catch(() => undefined);
    }
  }, [actionPath, status, count]);
  return onReanchor;
}

function EditorSurface({
  session,
  user,
  editable,
  comments,
  status,
  statusLine,
}: {
  session: CollaborationSession;
  user: CollaborativeEditorProps["user"];
  editable: boolean;
  comments?: EditorComments;
  status: SaveStatus;
  statusLine: ReactNode;
}) {
  const [pending, setPending] = useState<CommentTarget | null>(null);
  const onReanchor = useReanchorPosting(comments?.mayComment ? comments.actionPath : undefined, status);
  const editor = useEditor(
    {
      // The stylesheet (editor.css) carries ProseMirror's base rules: the CSP refuses injected <style>.
      injectCSS: false,
      editable,
      extensions: [
        ...documentEditorExtensions(),
        Collaboration.configure({ document: session.ydoc, field: COLLAB_FIELD }),
        CollaborationCaret.configure({
          provider: session.provider,
          user: { name: user.name, color: user.colour },
          render: renderCaret,
        }),
        CommentHighlights.configure({ onReanchor }),
      ],
      editorProps: {
        attributes: {
          class: "document-text",
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": "Document text",
          ...(editable ? {} : { "aria-readonly": "true" }),
        },
      },
    },
    [session, editable],
  );

  useParagraphTarget(editor);

  const anchors = comments?.anchors;
  useEffect(() => {
    if (editor && !editor.isDestroyed && anchors) setHighlightAnchors(editor.view, anchors);
  }, [editor, anchors]);

  const hasSelection = useEditorState({
    editor,
    selector: ({ editor: current }) => (current ? !current.state.selection.empty : false),
  });

  const startComment = useCallback(() => {
    if (!editor) return;
    const { from, to } = editor.state.selection;
    const target = commentTargetForSelection(editor.state, from, to);
    if (target) setPending(target);
  }, [editor]);

  if (!editor) return <>{statusLine}</>;
  const mayComment = comments?.mayComment === true;
  return (
    <>
      {/* The status line rides with the toolbar, so it is in view wherever one is in the text. */}
      <div className="editor-bar">
        {editable ? <EditorToolbar editor={editor} onComment={mayComment ? startComment : undefined} commentDisabled={!hasSelection} /> : null}
        {statusLine}
      </div>
      <EditorContent editor={editor} className="document-text-frame" />
      {mayComment && comments ? (
        <div className="editor-comment">
          {pending ? (
            <div className="editor-comment__form" role="group" aria-label="New comment">
              <p className="editor-comment__quote">
                Commenting on: <q>{pending.quote}</q>
              </p>
              <CommentForm
                actionPath={comments.actionPath}
                intent="create"
                hidden={{
                  anchorStart: pending.anchorStart,
                  anchorEnd: pending.anchorEnd,
                  quote: pending.quote,
                  quotePosition: String(pending.quotePosition),
                  quotePrefix: pending.quotePrefix,
                  quoteSuffix: pending.quoteSuffix,
                }}
                label="Your comment"
                submitLabel="Add comment"
                autoFocus
                onDone={() => {
                  setPending(null);
                  editor.commands.focus();
                }}
                onCancel={() => {
                  setPending(null);
                  editor.commands.focus();
                }}
              />
            </div>
          ) : (
            <button
              type="button"
              className="button button--secondary editor-comment__button"
              aria-disabled={hasSelection ? undefined : true}
              aria-describedby={hasSelection ? undefined : "editor-comment-hint"}
              // Keep the selection in the editor while the button is clicked.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => {
                if (hasSelection) startComment();
              }}
            >
              Comment
            </button>
          )}
          {pending || hasSelection ? null : (
            <p className="hint" id="editor-comment-hint">
              Select words in the document first.
            </p>
          )}
        </div>
      ) : null}
    </>
  );
}

export default function CollaborativeEditor({ documentId, user, editable, comments }: CollaborativeEditorProps) {
  const { session, status } = useCollaborationSession(documentId, user.id);
  const statusLine = (
    <p className={`save-status save-status--${status}`} role="status" aria-live="polite">
      {editable ? saveStatusText[status] : readOnlyStatusText[status]}
    </p>
  );
  return (
    <div className="editor">
      {session ? <EditorSurface session={session} user={user} editable={editable} comments={comments} status={status} statusLine={statusLine} /> : statusLine}
    </div>
  );
}

const readOnlyStatusText: Record<SaveStatus, string> = {
  connecting: "Connecting…",
  saving: "Showing the latest text",
  saved: "Showing the latest text",
  offline: "You are offline — showing the text as it was last received",
  unreachable: "Can't reach the server — showing the text as it was last received",
};
