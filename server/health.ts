/**
 * GET /healthz: 200 with the database kind when the database answers, 503 when it does not.
 * It also says which Node.js runs the process (`runtime`), so an operator can see a deployment
 * is on a supported version.
 */
import type { RequestHandler } from "express";
import type { DatabaseHandle } from "../db/connect.js";

const startedAt = Date.now();
const PING_TIMEOUT_MS = 2_000;

export function healthCheck(database: DatabaseHandle, version: string): RequestHandler {
  return async (_request, response) => {
    response.setHeader("Cache-Control", "no-store");
    const body = { database: database.kind, version, runtime: `node ${process.versions.node}`, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) };
    try {
      await withTimeout(database.ping(), PING_TIMEOUT_MS);
      response.status(200).json({ status: "ok", ...body });
    } catch {
      response.status(503).json({ status: "unavailable", ...body, error: "DATABASE_UNREACHABLE" });
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
