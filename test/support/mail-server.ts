/**
 * A real SMTP server for tests (smtp-server, from the Nodemailer project) on a free port, whose
 * answer the test chooses: take every message, refuse at connect (421, the server is down), or
 * refuse each recipient (550, the address does not exist). It records what it took.
 */
import { type SMTPServer as SmtpServerType, SMTPServer } from "smtp-server";

export type MailServerMode = "accept" | "down" | "reject";

/** A mail server on a free port whose answer the test chooses: take, 421 at connect, or 550 per recipient. */
export async function startMailServer() {
  const state = { mode: "accept" as MailServerMode, connections: 0, received: [] as { to: string[]; raw: string; at: number }[] };
  const server: SmtpServerType = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections += 1;
      if (state.mode !== "down") return callback();
      callback(Object.assign(new Error("Service not available, closing transmission channel"), { responseCode: 421 }));
    },
    onRcptTo(address, _session, callback) {
      if (state.mode !== "reject") return callback();
      callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        state.received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as { port: number };
  return { state, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
