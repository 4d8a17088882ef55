/**
 * A headless editor for anchor tests: a ProseMirror state in the document editor's own schema
 * (app/documents/editor-schema.ts) bound to a Y.Doc the way the browser's editor is. Each command
 * runs on the ProseMirror state and its new document is written into the Y.XmlFragment with
 * y-prosemirror's `updateYFragment`, which is what the editor's binding does after every
 * transaction; so a paragraph made a list item or a heading replaces its Y.XmlText here exactly
 * as it does in the browser. After a remote update the state is read back from the Y.Doc.
 */
import { getSchema } from "@tiptap/core";
import type { Node as ProseMirrorNode, Schema } from "@tiptap/pm/model";
import { EditorState, TextSelection, type Transaction } from "@tiptap/pm/state";
import { initProseMirrorDoc, prosemirrorJSONToYDoc, updateYFragment } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../../app/documents/content.js";
import { documentEditorExtensions } from "../../../app/documents/editor-schema.js";
import { anchorAtOffsets, resolveThreadAnchor, type StoredAnchor } from "../../../app/documents/comment-anchors.js";
import { plainTextOf } from "../../../app/documents/plain-text.js";
import { quoteSelectorAt } from "../../../app/documents/quote-selector.js";

export const schema: Schema = getSchema(documentEditorExtensions());

export type Command = (state: EditorState, dispatch?: (tr: Transaction) => void) => boolean;

export class Replica {
  readonly doc: Y.Doc;
  state: EditorState;
  private meta: ReturnType<typeof initProseMirrorDoc>["meta"];

  constructor(update: Uint8Array) {
    this.doc = new Y.Doc();
    Y.applyUpdate(this.doc, update);
    const init = initProseMirrorDoc(this.fragment, schema);
    this.meta = init.meta;
    this.state = EditorState.create({ schema, doc: init.doc });
  }

  /** A Y.Doc's state holding `json` (a ProseMirror document), for seeding replicas. */
  static seed(json: object): Uint8Array {
    return Y.encodeStateAsUpdate(prosemirrorJSONToYDoc(schema, json, COLLAB_FIELD));
  }

  get fragment(): Y.XmlFragment {
    return this.doc.getXmlFragment(COLLAB_FIELD);
  }

  /** Runs a command with the selection `from`–`to` (ProseMirror positions), then writes the result to Yjs. */
  run(command: Command, from?: number, to?: number): void {
    if (from !== undefined) this.select(from, to ?? from);
    let applied = false;
    command(this.state, (tr) => {
      this.state = this.state.apply(tr);
      applied = true;
    });
    if (!applied) throw new Error("The command did not apply");
    this.write();
  }

  /** Applies a transaction built from the current state, then writes the result to Yjs. */
  change(build: (tr: Transaction, state: EditorState) => Transaction): void {
    this.state = this.state.apply(build(this.state.tr, this.state));
    this.write();
  }

  select(from: number, to = from): void {
    this.state = this.state.apply(this.state.tr.setSelection(TextSelection.create(this.state.doc, from, to)));
  }

  /** Reads the ProseMirror document back from the Y.Doc (after a remote update). */
  reload(): void {
    const init = initProseMirrorDoc(this.fragment, schema);
    this.meta = init.meta;
    this.state = EditorState.create({ schema, doc: init.doc, selection: undefined });
  }

  /** Where `words` are in the ProseMirror document (within one textblock). */
  find(words: string, occurrence = 0): { from: number; to: number } {
    const found: { from: number; to: number }[] = [];
    this.state.doc.descendants((node: ProseMirrorNode, pos: number) => {
      if (!node.isTextblock) return true;
      const text = node.textContent;
      let at = text.indexOf(words);
      while (at !== -1) {
        found.push({ from: pos + 1 + at, to: pos + 1 + at + words.length });
        at = text.indexOf(words, at + 1);
      }
      return false;
    });
    const hit = found[occurrence];
    if (!hit) throw new Error(`"${words}" is not in the document`);
    return hit;
  }

  private write(): void {
    this.doc.transact(() => updateYFragment(this.doc, this.fragment, this.state.doc, this.meta));
  }
}

/** Syncs two replicas both ways and reads each one's ProseMirror document back. */
export function sync(a: Replica, b: Replica): void {
  const fromA = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc));
  const fromB = Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc));
  Y.applyUpdate(b.doc, fromA);
  Y.applyUpdate(a.doc, fromB);
  a.reload();
  b.reload();
}

/** A thread's stored anchor over `words` in the document's plain text, as the editor makes it. */
export function anchorOver(doc: Y.Doc, words: string, occurrence = 0): StoredAnchor {
  const plain = plainTextOf(doc.getXmlFragment(COLLAB_FIELD));
  let start = plain.text.indexOf(words);
  for (let skip = 0; skip < occurrence && start !== -1; skip++) start = plain.text.indexOf(words, start + 1);
  if (start === -1) throw new Error(`"${words}" is not in the plain text`);
  const anchor = anchorAtOffsets(plain, start, start + words.length);
  if (!anchor) throw new Error(`"${words}" has no anchor`);
  return { ...anchor, selector: quoteSelectorAt(plain.text, start, start + words.length) };
}

/** The words a thread covers now, or null when it is on deleted text. */
export function anchoredWords(doc: Y.Doc, stored: StoredAnchor): string | null {
  const found = resolveThreadAnchor(doc, stored);
  if (found.state === "deleted") return null;
  return plainTextOf(doc.getXmlFragment(COLLAB_FIELD)).text.slice(found.start, found.end);
}
