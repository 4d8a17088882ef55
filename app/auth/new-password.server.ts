/**
 * Hashing a new password with Argon2id. The rules for choosing one are in the forms' schemas
 * (app/auth/schemas.ts), checked before any of these functions is called.
 */
import { hash } from "@node-rs/argon2";

/** Argon2id (the library's default algorithm) with its default cost. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}
