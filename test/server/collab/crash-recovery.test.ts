/**
 * Nothing acknowledged as saved is lost when the server process is killed (SIGKILL, no shutdown),
 * and what the client typed but never saw acknowledged reaches the restarted server when the
 * provider resyncs. Runs the real process as `npm start` runs it (`build/server.mjs`) on the embedded database.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { COLLAB_FIELD } from "../../../app/documents/content.js";
import { connectDatabase } from "../../../db/connect.js";
import { migrateToLatest } from "../../../db/migrate.js";
import { seedDemo } from "../../../server/seed-demo.js";
import { followChild } from "../../support/child-output.js";
import { signIn } from "../../support/server.js";
import { type CollabClient, connectClient, documentIdOfKind, typeCharacters } from "./collab-clients.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const children: ChildProcess[] = [];
const clients: CollabClient[] = [];

function startProcess(dataDir: string, port: number) {
  const child = spawn(process.execPath, ["build/server.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      SEED_DEMO: "never",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: tsx runs the server in a child process, and SIGKILL must reach both.
    detached: true,
  });
  children.push(child);
  const { exited, output } = followChild(child);
  const url = vi.waitFor(
    () => {
      const found = /ready at (http:\/\/localhost:\d+)/.exec(output().stdout)?.[1];
      if (!found) throw new Error(`not ready yet: ${output().stderr}`);
      return found;
    },
    { timeout: 30_000, interval: 50 },
  );
  /** kill -9 of the whole server (tsx and the node process it started). */
  const killHard = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  return { child, exited, url, killHard };
}

/** The text of the document's last paragraph (where the client types). */
function lastParagraph(doc: Y.Doc): string {
  const fragment = doc.getXmlFragment(COLLAB_FIELD);
  const paragraph = fragment.get(fragment.length - 1) as Y.XmlElement;
  return (paragraph.get(0) as Y.XmlText).toString();
}

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe("the collaboration endpoint across a crash", () => {
  it("keeps every update it acknowledged when killed with SIGKILL, and takes the rest when the client resyncs", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stewardship-crash-"));
    try {
      // The demo group, seeded before the server owns the directory (one process per PGlite).
      const setup = await connectDatabase({ dataDir });
      await migrateToLatest(setup.db);
      await seedDemo(setup.db);
      const termsId = await documentIdOfKind(setup.db, "terms_of_reference");
      await setup.close();

      const first = startProcess(dataDir, 0);
      const url = await first.url;
      const port = Number(new URL(url).port);
      const typist = connectClient(url, termsId, await signIn({ url }, "member@example.org"));
      clients.push(typist);
      await vi.waitFor(() => expect(typist.provider.synced).toBe(true), { timeout: 15_000 });

      // Typing in bursts: a few characters every few milliseconds, acknowledged batch by batch.
      typist.doc.transact(() => {
        const paragraph = new Y.XmlElement("paragraph");
        paragraph.insert(0, [new Y.XmlText("")]);
        const fragment = typist.doc.getXmlFragment(COLLAB_FIELD);
        fragment.insert(fragment.length, [paragraph]);
      });
      let burst = 0;
      const typing = setInterval(() => typeCharacters(typist.doc, `${burst++ % 10}ab`), 7);
      try {
        await vi.waitFor(
          () => expect(typist.saved.filter((vector) => (vector.get(typist.doc.clientID) ?? 0) > 0).length).toBeGreaterThanOrEqual(5),
          { timeout: 15_000 },
        );
        first.killHard();
        // Keep the old client away until the stored state has been read; it keeps typing offline.
        typist.provider.disconnect();
        await first.exited;
        const typedBeforeRestart = burst;
        await vi.waitFor(() => expect(burst).toBeGreaterThan(typedBeforeRestart + 3));
      } finally {
        clearInterval(typing);
      }
      const acknowledged = typist.savedClock();
      expect(acknowledged).toBeGreaterThan(0);
      expect(typist.ownClock()).toBeGreaterThan(acknowledged);

      const second = startProcess(dataDir, port);
      expect(await second.url).toBe(url);
      const reader = connectClient(url, termsId, await signIn({ url }, "chair@example.org"));
      clients.push(reader);
      await vi.waitFor(() => expect(reader.provider.synced).toBe(true), { timeout: 15_000 });
      // Everything acknowledged before the kill is there, in order, before the old client returns.
      expect(Y.getState(reader.doc.store, typist.doc.clientID)).toBeGreaterThanOrEqual(acknowledged);
      const recovered = lastParagraph(reader.doc);
      expect(recovered.length).toBeGreaterThan(0);
      expect(lastParagraph(typist.doc).startsWith(recovered)).toBe(true);
      expect(recovered.length).toBeLessThan(lastParagraph(typist.doc).length);

      // The old client reconnects and its unacknowledged typing arrives and is saved.
      typist.provider.connect();
      await vi.waitFor(
        () => {
          expect(lastParagraph(reader.doc)).toBe(lastParagraph(typist.doc));
          expect(typist.savedClock()).toBeGreaterThanOrEqual(typist.ownClock());
        },
        { timeout: 15_000 },
      );

      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
