/**
 * The forms of the notification centre and of notification emails, one schema each, shared by
 * the browser (Conform) and the actions (`parseWithZod`).
 *
 * Shared with the browser: no server imports here.
 */
import * as z from "zod";
import { emailModes } from "../../db/database.js";

/** "Mark all as read" on the notification centre (routes/notifications._index.tsx). */
export const markAllReadSchema = z.object({ intent: z.literal("mark-all-read") });

/** How notifications are emailed (routes/account_.notifications.tsx). */
export const emailModeSchema = z.object({ emailMode: z.enum(emailModes, { error: "Choose how you want to be emailed" }) });

/** The unsubscribe link's confirm button (routes/unsubscribe.$token.tsx): nothing to fill in. */
export const unsubscribeSchema = z.object({});
