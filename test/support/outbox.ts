/**
 * Reading the email outbox the mailer writes when SMTP_URL is unset (DATA_DIR/outbox/*.eml):
 * enough of RFC 822 and quoted-printable to find who a message went to and the link in it.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface OutboxMessage {
  file: string;
  headers: Map<string, string>;
  to: string;
  subject: string;
  text: string;
}

/** A fresh temporary DATA_DIR; remove it with `fs.rm(dir, { recursive: true, force: true })`. */
export function makeTempDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "stewardship-test-"));
}

/** Every message in `<dataDir>/outbox`, oldest first (file names sort by time). */
export async function readOutbox(dataDir: string): Promise<OutboxMessage[]> {
  const folder = path.join(dataDir, "outbox");
  const files = await fs.readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const messages: OutboxMessage[] = [];
  for (const file of files.filter((name) => name.endsWith(".eml")).sort()) {
    messages.push({ file, ...parseEml(await fs.readFile(path.join(folder, file), "utf8")) });
  }
  return messages;
}

/**
 * Waits for the messages that `match` picks to arrive (email goes out through the job queue, a
 * moment after the change that sent it) and for `count` of them; resolves with those, oldest first.
 */
export async function waitForMail(
  dataDir: string,
  match: (message: OutboxMessage) => boolean,
  { count = 1, timeoutMs = 15_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<OutboxMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readOutbox(dataDir)).filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} email(s); ${found.length} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Splits a single-part text message into its headers and its decoded body. */
export function parseEml(raw: string): Omit<OutboxMessage, "file"> {
  const normalised = raw.replace(/\r\n/g, "\n");
  const split = normalised.indexOf("\n\n");
  const head = normalised.slice(0, split).replace(/\n[ \t]+/g, " ");
  const body = normalised.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
  const text =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(body)
      : encoding === "base64"
        ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
        : body;
  return { headers, to: headers.get("to") ?? "", subject: headers.get("subject") ?? "", text };
}

function decodeQuotedPrintable(value: string): string {
  const unfolded = value.replace(/=\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const char = unfolded[i]!;
    if (char === "=" && /^[0-9A-F]{2}$/i.test(unfolded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unfolded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeEncodedWords(value: string): string {
  // Whitespace between two encoded words is dropped (RFC 2047); before plain text it stays.
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=(?:\s+(?==\?))?/gi, (_match, kind: string, encoded: string) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(encoded, "base64").toString("utf8")
      : decodeQuotedPrintable(encoded.replace(/_/g, " ")),
  );
}

/** The path of the first link in `text` whose path starts with `prefix` (e.g. "/invitations/"). */
export function linkPath(text: string, prefix: string): string {
  const match = new RegExp(`https?://[^\\s/]+(${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[A-Za-z0-9_-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no ${prefix} link in the message`);
  return match[1];
}
