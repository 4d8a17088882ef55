/**
 * Keeping a loaded document's rendering (`documents.content_html`, `content_text`, who edited it
 * last) in step with its committed state (the rendering part of a SharedDocument): at most once
 * every `renderEveryMs` while people type, rendered in the rendering thread (render-thread.ts) from
 * a copy of the state, so the event loop that relays keystrokes never waits for TipTap's serialiser.
 * It is stored with the next batch's statement when one is waiting, in order with the commits.
 */
import * as Y from "yjs";
import type { Logger } from "../logger.js";
import type { Rendering } from "./document-store.js";
import type { RenderThread } from "./render-thread.js";

export interface DocumentRenderingOptions {
  doc: Y.Doc;
  logger: Logger;
  renderer: RenderThread;
  renderEveryMs: number;
  /** Stores a rendering, with the next batch when one is waiting (DocumentPersistence.saveRendering). */
  save(rendering: Rendering): Promise<void>;
}

export class DocumentRendering {
  /** The last person whose edits are in the state: `updated_by` when it is saved. */
  lastEditorId: string | null = null;
  private lastRenderAt = 0;
  /** Committed changes not yet rendered. */
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: DocumentRenderingOptions) {}

  /** A batch was committed: render it when the throttle allows. */
  changed(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Unloading: renders what is not rendered yet, then stops. */
  async finish(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.dirty && !this.stopped) await this.run();
    this.stopped = true;
  }

  /** Stops without rendering again (the copy in memory must not be shown: see SharedDocument). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.running) return;
    const wait = Math.max(0, this.lastRenderAt + this.options.renderEveryMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
    this.timer.unref();
  }

  private run(): Promise<void> {
    this.running = (async () => {
      this.dirty = false;
      // The state as it is now (committed, or about to be: the rendering never runs ahead by more
      // than the batch in flight), copied for the rendering thread.
      const state = Y.encodeStateAsUpdate(this.options.doc);
      const editorId = this.lastEditorId;
      try {
        const { html, text } = await this.options.renderer.render(state);
        if (this.stopped) return;
        await this.options.save({ html, text, editorId });
      } catch (error) {
        // Tried again at the next turn of the throttle, not at once.
        this.dirty = true;
        this.options.logger.error({ err: error }, "could not save the document's rendering");
      } finally {
        this.lastRenderAt = Date.now();
      }
    })().finally(() => {
      this.running = null;
      if (this.dirty && !this.stopped) this.schedule();
    });
    return this.running;
  }
}
