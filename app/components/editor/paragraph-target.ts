/**
 * Landing on a paragraph from a search result (`…/documents/<id>#paragraph-<n>`): line n of the
 * document's text as `renderText` (app/documents/content.ts) writes it, which is what search
 * indexes. Once the editor holds that many lines (the Yjs state may arrive after the page), the
 * paragraph is marked with a node decoration (`paragraph-target`, drawn by ProseMirror, so it
 * survives re-rendering) and scrolled into view.
 */
import type { Editor } from "@tiptap/react";
import type { Node as ProseMirrorNode } from "@tiptap/pm/model";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { useEffect } from "react";

const targetKey = new PluginKey<number | null>("paragraphTarget");

/** The position of the node holding line `line` (1-based) of the rendered text, or null. */
export function paragraphPosition(doc: ProseMirrorNode, line: number): number | null {
  let seen = 0;
  let found: number | null = null;
  doc.descendants((node, pos) => {
    if (found !== null) return false;
    if (node.type.name === "tableRow") {
      if (node.textContent.trim().length > 0) seen += 1;
      if (seen === line) found = pos;
      return false;
    }
    if (!node.isTextblock) return true;
    if (node.textContent.trim().length === 0) return false;
    // A hard break starts a new line of the text.
    let lines = 1;
    node.forEach((child) => {
      if (child.type.name === "hardBreak") lines += 1;
    });
    if (line <= seen + lines) found = pos;
    seen += lines;
    return false;
  });
  return found;
}

function targetPlugin(): Plugin<number | null> {
  return new Plugin<number | null>({
    key: targetKey,
    state: {
      init: () => null,
      apply: (transaction, value) => {
        const meta = transaction.getMeta(targetKey) as number | null | undefined;
        if (meta !== undefined) return meta;
        return value === null ? null : transaction.mapping.map(value);
      },
    },
    props: {
      decorations(state) {
        const position = targetKey.getState(state);
        const node = position === null || position === undefined ? null : state.doc.nodeAt(position);
        if (position === null || position === undefined || !node) return DecorationSet.empty;
        return DecorationSet.create(state.doc, [Decoration.node(position, position + node.nodeSize, { class: "paragraph-target" })]);
      },
    },
  });
}

function wantedLine(): number | null {
  const match = /^#paragraph-(\d{1,6})$/.exec(window.location.hash);
  return match ? Number(match[1]) : null;
}

/** Marks and scrolls to the paragraph the address names, once it is there. */
export function useParagraphTarget(editor: Editor | null): void {
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    const plugin = targetPlugin();
    editor.registerPlugin(plugin);
    let landed = false;
    const land = () => {
      const line = wantedLine();
      if (landed || line === null || editor.isDestroyed) return;
      const position = paragraphPosition(editor.state.doc, line);
      if (position === null) return;
      landed = true;
      editor.view.dispatch(editor.state.tr.setMeta(targetKey, position));
      const element = editor.view.nodeDOM(position);
      if (element instanceof HTMLElement) element.scrollIntoView({ block: "center" });
    };
    const relocate = () => {
      landed = false;
      land();
    };
    land();
    editor.on("update", land);
    window.addEventListener("hashchange", relocate);
    return () => {
      editor.off("update", land);
      window.removeEventListener("hashchange", relocate);
      if (!editor.isDestroyed) editor.unregisterPlugin(targetKey);
    };
  }, [editor]);
}
