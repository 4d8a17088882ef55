/**
 * Backups of the embedded database (docs/decisions/017): `npm run backup` asks the running server
 * for a copy while people type, `npm run restore` brings it back into an empty DATA_DIR, and a
 * server started there has every edit acknowledged before the backup, and the minute, decisions
 * and audit rows of that moment. The backup socket shrugs off malformed requests.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { Database } from "../../db/database.js";
import { loadActor } from "../../app/models/actor.server.js";
import { recordDecision } from "../../app/models/decisions.server.js";
import { endMeeting, startMeeting } from "../../app/models/live-meeting.server.js";
import { scheduleMeeting } from "../../app/models/meeting-scheduling.server.js";
import { confirmMinutes } from "../../app/models/minute-confirmation.server.js";
import type { Actor } from "../../app/policy/policy.js";
import { type RunningServer, startServer } from "../../server/app.js";
import { controlSocketPath } from "../../server/backup-control.js";
import { applyStoredState, readStoredState } from "../../server/collab/document-store.js";
import { loadConfig } from "../../server/config.js";
import { createLogger } from "../../server/logger.js";
import { signIn } from "../support/server.js";
import { type CollabClient, appendParagraph, connectClient, documentIdOfKind } from "../server/collab/collab-clients.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const root = path.resolve(import.meta.dirname, "..", "..");

/** Runs `npm run <script> -- ...args` as an operator would; resolves with its exit code and output. */
function npmRun(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "silent", DATABASE_URL: "", REDIS_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Sends `bytes` to the backup socket and resolves with everything the server answered. */
function sendRaw(dataDir: string, bytes: string | Buffer, { end = true } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(controlSocketPath(dataDir));
    let answer = "";
    socket.on("connect", () => {
      socket.write(bytes);
      if (end) socket.end();
    });
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
  });
}

async function startOn(dataDir: string): Promise<RunningServer> {
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", DATA_DIR: dataDir });
  return startServer({ config, logger: createLogger(config), jobTimings: { pollingIntervalSeconds: 0.5 } });
}

describe("backups of the embedded database", () => {
  const folders: string[] = [];
  const servers: RunningServer[] = [];
  const clients: CollabClient[] = [];
  let dataDir: string;
  let server: RunningServer;
  let db: Kysely<Database>;

  const folder = (name: string) => {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), `stewardship-${name}-`));
    folders.push(made);
    return made;
  };

  beforeAll(async () => {
    dataDir = folder("backup-source");
    server = await startOn(dataDir);
    servers.push(server);
    db = server.services.db;
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const running of servers.splice(0)) await running.shutdown("test finished");
    for (const made of folders) fs.rmSync(made, { recursive: true, force: true });
  });

  it("opens its backup socket where only the server's user may reach it", () => {
    const directory = path.dirname(controlSocketPath(dataDir));
    expect(fs.statSync(directory).mode & 0o777).toBe(0o700);
    expect(fs.statSync(controlSocketPath(dataDir)).isSocket()).toBe(true);
  });

  it("answers malformed requests with an error, closes silent ones, and keeps serving", async () => {
    expect(JSON.parse(await sendRaw(dataDir, "not json\n"))).toMatchObject({ ok: false, code: "INVALID_REQUEST" });
    expect(JSON.parse(await sendRaw(dataDir, "[1,2,3]\n"))).toMatchObject({ ok: false, code: "INVALID_REQUEST" });
    expect(JSON.parse(await sendRaw(dataDir, '{"command":42}\n'))).toMatchObject({ ok: false, code: "INVALID_REQUEST" });
    expect(JSON.parse(await sendRaw(dataDir, '{"command":"drop everything"}\n'))).toMatchObject({ ok: false, code: "UNKNOWN_COMMAND" });
    expect(JSON.parse(await sendRaw(dataDir, Buffer.alloc(4096, 0xff), { end: false }))).toMatchObject({ ok: false, code: "INVALID_REQUEST" });
    expect(JSON.parse(await sendRaw(dataDir, "\u0000\u0001\u0002\n"))).toMatchObject({ ok: false, code: "INVALID_REQUEST" });
    // Half a request and a hang-up: nothing to answer, nothing breaks.
    expect(await sendRaw(dataDir, '{"comm')).toBe("");
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("backs up while people type; the restored copy has every acknowledged edit, the minute, its decisions and the audit log", async () => {
    // The permanent record: a meeting with a decision, its minutes confirmed (with their audit rows).
    const actors = new Map<string, Actor>();
    for (const user of await db.selectFrom("users").select(["id", "email", "display_name", "is_platform_admin"]).execute()) {
      actors.set(user.email, await loadActor(db, { id: user.id, email: user.email, displayName: user.display_name, isPlatformAdmin: user.is_platform_admin }));
    }
    const secretary = actors.get("secretary@example.org")!;
    const chair = actors.get("chair@example.org")!;
    const groupId = (await db.selectFrom("groups").select("id").executeTakeFirstOrThrow()).id;
    const meetingId = await scheduleMeeting(db, null, secretary, {
      groupId, title: "Backed-up hui", date: "2026-12-15", time: "10:00", durationMinutes: 90, location: "Wellington", onlineUrl: null, openers: [],
    });
    await startMeeting(db, null, chair, { meetingId, offScheduleConfirmed: true });
    await recordDecision(db, null, secretary, { meetingId, parentId: null, agendaItemId: null, heading: "Kaupapa", verb: "agreed", body: "to keep a copy of everything" });
    await endMeeting(db, null, chair, { meetingId });
    const reference = await confirmMinutes(db, null, secretary, { meetingId });

    // Two people type into the terms of reference, and keep typing through the backup.
    const termsId = await documentIdOfKind(db, "terms_of_reference");
    const typist = connectClient(server.url, termsId, await signIn(server, "member@example.org"));
    const other = connectClient(server.url, termsId, await signIn(server, "chair@example.org"));
    clients.push(typist, other);
    await vi.waitFor(() => {
      expect(typist.provider.synced).toBe(true);
      expect(other.provider.synced).toBe(true);
    }, { timeout: 20_000 });
    let typed = 0;
    const typing = setInterval(() => {
      appendParagraph(typist.doc, `Typed during the backup ${++typed}.`);
      if (typed % 3 === 0) appendParagraph(other.doc, `The chair's line ${typed}.`);
    }, 5);
    let backup: Awaited<ReturnType<typeof npmRun>>;
    let acknowledged: { typist: number; other: number };
    let rowsAtBackup: { minutes: unknown[]; decisions: unknown[]; audit: unknown[] };
    const file = path.join(folder("backup-file"), "kept.tar.gz");
    try {
      await vi.waitFor(() => expect(typist.savedClock()).toBeGreaterThan(0), { timeout: 20_000 });
      await vi.waitFor(() => expect(typed).toBeGreaterThan(40));
      // What exists when the backup is asked for must all be in it.
      acknowledged = { typist: typist.savedClock(), other: other.savedClock() };
      rowsAtBackup = {
        minutes: await db.selectFrom("minutes").selectAll().orderBy("id").execute(),
        decisions: await db.selectFrom("decisions").selectAll().orderBy("id").execute(),
        audit: await db.selectFrom("audit_log").selectAll().orderBy("id").execute(),
      };
      backup = await npmRun("backup", [file], { DATA_DIR: dataDir });
    } finally {
      clearInterval(typing);
    }
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up the embedded database in .* to .*kept\.tar\.gz \(\d+\.\d MB\)\.\n$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // The typing carried on while the copy was taken.
    expect(typed).toBeGreaterThan(41);
    expect(rowsAtBackup.decisions.length).toBeGreaterThan(0);
    expect(rowsAtBackup.audit.length).toBeGreaterThan(0);

    // Restored into an empty folder, a server starts on it with everything of that moment.
    const restoredDir = path.join(folder("backup-restored"), "data");
    const restore = await npmRun("restore", [file], { DATA_DIR: restoredDir });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    const restored = await startOn(restoredDir);
    servers.push(restored);
    const stored = applyStoredState(await readStoredState(restored.services.db, termsId));
    try {
      expect(Y.getState(stored.store, typist.doc.clientID)).toBeGreaterThanOrEqual(acknowledged.typist);
      expect(Y.getState(stored.store, other.doc.clientID)).toBeGreaterThanOrEqual(acknowledged.other);
    } finally {
      stored.destroy();
    }
    const restoredDb = restored.services.db;
    const restoredMinutes = await restoredDb.selectFrom("minutes").selectAll().orderBy("id").execute();
    const restoredDecisions = await restoredDb.selectFrom("decisions").selectAll().orderBy("id").execute();
    const restoredAudit = await restoredDb.selectFrom("audit_log").selectAll().orderBy("id").execute();
    expect(restoredMinutes).toEqual(expect.arrayContaining(rowsAtBackup.minutes));
    expect(restoredDecisions).toEqual(expect.arrayContaining(rowsAtBackup.decisions));
    expect(restoredAudit).toEqual(expect.arrayContaining(rowsAtBackup.audit));
    expect(restoredMinutes.map((minute) => minute.reference)).toContain(reference);
    // And people can sign in on it.
    expect(await signIn(restored, "secretary@example.org")).toMatch(/^stewardship_session=/);
  });

  it("refuses to restore into a folder that is not empty, with one clear line", async () => {
    const file = path.join(folder("backup-refused"), "copy.tar.gz");
    expect((await npmRun("backup", [file], { DATA_DIR: dataDir })).code).toBe(0);
    const restore = await npmRun("restore", [file], { DATA_DIR: dataDir });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/^Cannot restore: DATA_DIR .* is not empty; restore into an empty or new folder \(move the old one aside first\)\.\n$/);
    // A file that is not a backup leaves the empty folder empty.
    const notABackup = path.join(folder("backup-junk"), "junk.tar.gz");
    fs.writeFileSync(notABackup, "this is not a tarball");
    const emptyDir = folder("backup-empty");
    const junk = await npmRun("restore", [notABackup], { DATA_DIR: emptyDir });
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/^Cannot restore: .*junk\.tar\.gz is not a backup of the embedded database/);
    expect(fs.readdirSync(emptyDir)).toEqual([]);
  });

  it("points to pg_dump when DATABASE_URL is set", async () => {
    const backup = await npmRun("backup", [], { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/stewardship" });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toBe('Cannot back up here: DATABASE_URL is set, so the data is in PostgreSQL. Back it up with pg_dump (see docs/deploy.md, "Backups").\n');
  });
});
