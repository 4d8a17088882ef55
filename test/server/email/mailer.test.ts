import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../server/config.js";
import { createMailer } from "../../../server/email/mailer.js";
import { startMailServer } from "../../support/mail-server.js";
import { makeTempDataDir, parseEml, readOutbox } from "../../support/outbox.js";
import { startTestServer } from "../../support/server.js";

/** The From the configuration gives for these variables. */
const fromFor = (env: Record<string, string>) => loadConfig(env).emailFrom;

/** A pino logger whose lines land in an array, to check what is (and is not) logged. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

/** Just enough of an SMTP server to accept one conversation and keep the message it was given. */
async function startFakeSmtpServer() {
  const received: { from: string; to: string[]; data: string }[] = [];
  const server = net.createServer((socket) => {
    let buffer = "";
    let inData = false;
    let current = { from: "", to: [] as string[], data: "" };
    socket.write("220 fake.smtp ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(current);
          current = { from: "", to: [], data: "" };
          socket.write("250 2.0.0 queued\r\n");
          continue;
        }
        const lineEnd = buffer.indexOf("\r\n");
        if (lineEnd < 0) return;
        const line = buffer.slice(0, lineEnd);
        buffer = buffer.slice(lineEnd + 2);
        const command = line.slice(0, 4).toUpperCase();
        if (command === "EHLO" || command === "HELO") socket.write("250 fake.smtp\r\n");
        else if (command === "MAIL") {
          current.from = line;
          socket.write("250 2.1.0 ok\r\n");
        } else if (command === "RCPT") {
          current.to.push(line);
          socket.write("250 2.1.5 ok\r\n");
        } else if (command === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (command === "QUIT") {
          socket.end("221 bye\r\n");
        } else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const message = {
  to: "aroha@example.org",
  subject: "Invitation to join the Stewardship Group",
  text: "Kia ora Aroha,\n\nRāwiri Te Awa has invited you to represent Te Puni Kōkiri.\nhttp://localhost:3000/invitations/secret-token-that-must-not-be-logged\n",
};

describe("the mailer without SMTP", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await makeTempDataDir();
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("writes each message as an .eml file in DATA_DIR/outbox with macrons intact", async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ smtpUrl: undefined, dataDir, logger, from: fromFor({ PUBLIC_URL: "https://stewardship.example.govt.nz" }) });
    await mailer.send(message);
    await mailer.send({ ...message, to: "second@example.org" });

    const files = await fs.readdir(path.join(dataDir, "outbox"));
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{12}\.eml$/);

    const [first, second] = await readOutbox(dataDir);
    expect(first?.to).toBe("aroha@example.org");
    expect(second?.to).toBe("second@example.org");
    expect(first?.subject).toBe(message.subject);
    expect(first?.headers.get("from")).toBe("Stewardship Workspace <no-reply@stewardship.example.govt.nz>");
    expect(first?.headers.get("content-type")).toMatch(/^text\/plain; charset=utf-8/i);
    expect(first?.headers.get("message-id")).toMatch(/^<.+@stewardship\.example\.govt\.nz>$/);
    expect(first?.text.trimEnd()).toBe(message.text.trimEnd());
  });

  it("logs the recipient and subject but never the body or its link", async () => {
    const { logger, lines } = capturingLogger();
    const mailer = createMailer({ smtpUrl: undefined, dataDir, logger, from: fromFor({}) });
    await mailer.send(message);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ category: "email", to: message.to, subject: message.subject });
    expect(JSON.stringify(lines)).not.toContain("secret-token-that-must-not-be-logged");
    expect(JSON.stringify(lines)).not.toContain("Kia ora");
  });

  it("keeps the outbox readable only by the server's own user", async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ smtpUrl: undefined, dataDir, logger, from: fromFor({}) });
    await mailer.send(message);
    const [file] = await fs.readdir(path.join(dataDir, "outbox"));
    const stat = await fs.stat(path.join(dataDir, "outbox", file!));
    expect(stat.mode & 0o077).toBe(0);
  });
});

describe("the mailer with SMTP_URL", () => {
  it("sends through the SMTP server and writes nothing to the outbox", async () => {
    const smtp = await startFakeSmtpServer();
    const dataDir = await makeTempDataDir();
    try {
      const { logger, lines } = capturingLogger();
      const mailer = createMailer({ smtpUrl: smtp.url, dataDir, logger, from: fromFor({ PUBLIC_URL: "https://stewardship.example.govt.nz" }) });
      await mailer.send(message);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]?.from).toContain("<no-reply@stewardship.example.govt.nz>");
      expect(smtp.received[0]?.to).toEqual(["RCPT TO:<aroha@example.org>"]);
      const parsed = parseEml(smtp.received[0]!.data);
      expect(parsed.subject).toBe(message.subject);
      expect(parsed.text).toContain("Te Puni Kōkiri");
      expect(await readOutbox(dataDir)).toEqual([]);
      expect(lines[0]).toMatchObject({ category: "email", to: message.to, subject: message.subject });
      expect(JSON.stringify(lines)).not.toContain("secret-token-that-must-not-be-logged");
    } finally {
      await smtp.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the sender of every email", () => {
  it("writes EMAIL_FROM as the From and the Reply-To when a message has one", async () => {
    const dataDir = await makeTempDataDir();
    try {
      const { logger, lines } = capturingLogger();
      const mailer = createMailer({ smtpUrl: undefined, dataDir, logger, from: fromFor({ EMAIL_FROM: "Ngā Kaitiaki <hui@kaitiaki.example.nz>" }) });
      await mailer.send({ ...message, replyTo: "reply+abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst@kaitiaki.example.nz" });
      const [written] = await readOutbox(dataDir);
      expect(written?.headers.get("from")).toBe("Ngā Kaitiaki <hui@kaitiaki.example.nz>");
      expect(written?.headers.get("reply-to")).toBe("reply+abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst@kaitiaki.example.nz");
      expect(written?.headers.get("message-id")).toMatch(/@kaitiaki\.example\.nz>$/);
      // The reply address is a key to the thread: never logged.
      expect(JSON.stringify(lines)).not.toContain("abcdefghijklmnopqrstuvwxyz234567");
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it("is EMAIL_FROM for the server's own email through SMTP, not no-reply@localhost", async () => {
    const mail = await startMailServer();
    const server = await startTestServer({ env: { SMTP_URL: mail.url, EMAIL_FROM: "Stewardship Group <hui@stewardship.example.nz>" } });
    try {
      const response = await fetch(`${server.url}/forgot-password`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
        body: new URLSearchParams({ email: "secretary@example.org" }),
      });
      expect(response.status).toBe(302);
      for (let i = 0; i < 300 && mail.state.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(mail.state.received).toHaveLength(1);
      const parsed = parseEml(mail.state.received[0]!.raw);
      expect(parsed.headers.get("from")).toBe("Stewardship Group <hui@stewardship.example.nz>");
      expect(mail.state.received[0]!.raw).not.toContain("@localhost");
    } finally {
      await server.close();
      await mail.close();
    }
  }, 90_000);

  it("without EMAIL_FROM is no-reply@ PUBLIC_URL's domain, and never @localhost", () => {
    expect(fromFor({ PUBLIC_URL: "https://Stewardship.Example.govt.nz" })).toEqual({ name: "Stewardship Workspace", address: "no-reply@stewardship.example.govt.nz" });
    for (const env of [{} as Record<string, string>, { PUBLIC_URL: "http://localhost:3000" }, { PUBLIC_URL: "http://127.0.0.1:3000" }, { PUBLIC_URL: "http://[::1]:3000" }, { PUBLIC_URL: "http://stewardship:3000" }]) {
      expect(fromFor(env).address, JSON.stringify(env)).toBe("no-reply@localhost.invalid");
    }
  });
});
