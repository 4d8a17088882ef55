/**
 * Tokens for links sent by email (invitations, password resets, unsubscribing): 32 random bytes as
 * base64url in the link, and only their SHA-256 in the database, so a copy of the database
 * cannot be used to accept an invitation, reset a password or turn someone's emails off.
 */
import crypto from "node:crypto";

/** 32 bytes in base64url without padding is always 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface EmailToken {
  /** Goes in the link and nowhere else: never stored, never logged. */
  token: string;
  /** What the database keeps. */
  tokenHash: string;
}

export function createEmailToken(): EmailToken {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, tokenHash: hashEmailToken(token) };
}

/** SHA-256 of the token, as hex. */
export function hashEmailToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Whether a value from a URL could be one of our tokens (checked before touching the database). */
export function isWellFormedEmailToken(value: string | undefined): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}
