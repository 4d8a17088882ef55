/**
 * The realtime contract: every Socket.io event name, its payload and its acknowledgement, and the
 * rooms events go to. The server is typed by it (`new Server<ClientToServerEvents,
 * ServerToClientEvents>()`, server/socket.ts), so are the models that announce changes (through
 * `RealtimeService`, app/services.ts) and the browser (`connectSocket`, app/realtime/socket-client.ts).
 * What a client sends is checked against `clientEventSchemas` before any handler sees it;
 * refusals are acknowledged with the stable codes of the one error model (app/errors.ts).
 *
 * Shared with the browser: no server imports here.
 */
import * as z from "zod";
import type { ErrorCode } from "../errors.js";

// ---- rooms --------------------------------------------------------------------------------------

/** Every connected socket of a person (their notifications, and sign-out everywhere). */
export const userRoom = (userId: string) => `user:${userId}`;
/** Everyone who has a document open (joined with `document:join`): presence, comments, consultation. */
export const documentRoom = (documentId: string) => `document:${documentId}`;
/** Everyone with a meeting's page open (joined with `meeting:join`): the page follows the chair. */
export const meetingRoom = (meetingId: string) => `meeting:${meetingId}`;

/** Everyone with a proposal's page open (joined with `proposal:join`): live tallies. */
export const proposalRoom = (proposalId: string) => `proposal:${proposalId}`;

export const roomPrefixes = { user: "user:", document: "document:", meeting: "meeting:", proposal: "proposal:" } as const;

// ---- what the server sends ---------------------------------------------------------------------

/** One person looking at a document, as the presence list shows them. */
export interface DocumentViewer {
  userId: string;
  name: string;
  organisation: string | null;
}

/** A new notification for the person, and how many they have unread. */
export interface NotificationEvent {
  id: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  unreadCount: number;
}

export interface ServerToClientEvents {
  /** Who has the document open, once each, after every join, leave and disconnect. */
  "document:presence": (payload: { documentId: string; viewers: DocumentViewer[] }) => void;
  /** A comment on the document was added, changed, resolved or reopened: reload the threads. */
  "comment:changed": (payload: { documentId: string; threadId: string }) => void;
  /** The document's consultation opened, changed or closed: reload the page's data. */
  "consultation:changed": (payload: { documentId: string }) => void;
  /** Something in the meeting changed (the chair moved on, a decision was recorded…). */
  "meeting:changed": (payload: { meetingId: string; what: string }) => void;
  /** Someone took part, or the proposal's settings or state changed: reload its page's data. Carries no choice. */
  "proposal:changed": (payload: { proposalId: string }) => void;
  notification: (payload: NotificationEvent) => void;
}

export type ServerEvent = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

// ---- what a client sends -----------------------------------------------------------------------

/** The acknowledgement of every client event: done, or refused with a stable code. */
export type Ack<Extra extends object = object> = ({ ok: true } & Extra) | { ok: false; error: ErrorCode };

export const clientEventSchemas = {
  "document:join": z.object({ documentId: z.uuid() }),
  "document:leave": z.object({ documentId: z.uuid() }),
  "meeting:join": z.object({ meetingId: z.uuid() }),
  "meeting:leave": z.object({ meetingId: z.uuid() }),
  "proposal:join": z.object({ proposalId: z.uuid() }),
  "proposal:leave": z.object({ proposalId: z.uuid() }),
  ping: z.unknown(),
} as const;

export type ClientEvent = keyof typeof clientEventSchemas;
export type ClientEventPayload<E extends ClientEvent> = z.infer<(typeof clientEventSchemas)[E]>;

export interface ClientToServerEvents {
  "document:join": (payload: ClientEventPayload<"document:join">, ack?: (answer: Ack) => void) => void;
  "document:leave": (payload: ClientEventPayload<"document:leave">, ack?: (answer: Ack) => void) => void;
  "meeting:join": (payload: ClientEventPayload<"meeting:join">, ack?: (answer: Ack) => void) => void;
  "meeting:leave": (payload: ClientEventPayload<"meeting:leave">, ack?: (answer: Ack) => void) => void;
  "proposal:join": (payload: ClientEventPayload<"proposal:join">, ack?: (answer: Ack) => void) => void;
  "proposal:leave": (payload: ClientEventPayload<"proposal:leave">, ack?: (answer: Ack) => void) => void;
  ping: (payload: unknown, ack?: (answer: Ack<{ serverTime: string }>) => void) => void;
}
