/**
 * GET /healthz: 200 with the database kind (and Redis, with several processes) when they answer,
 * 503 naming which does not (DATABASE_UNREACHABLE, REDIS_UNREACHABLE).
 * It also says which Node.js runs the process (`runtime`), so an operator can see a deployment
 * is on a supported version.
 */
import type { RequestHandler } from "express";
import type { DatabaseHandle } from "../db/connect.js";
import type { Cluster } from "./cluster/cluster.js";

const startedAt = Date.now();
const PING_TIMEOUT_MS = 2_000;

export function healthCheck({ database, cluster, version }: { database: DatabaseHandle; cluster: Cluster; version: string }): RequestHandler {
  return async (_request, response) => {
    response.setHeader("Cache-Control", "no-store");
    const body = {
      database: database.kind,
      mode: cluster.mode,
      redis: cluster.bus ? "configured" : "not used",
      version,
      runtime: `node ${process.versions.node}`,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    const [databaseAnswer, redisAnswer] = await Promise.allSettled([
      withTimeout(database.ping(), PING_TIMEOUT_MS),
      withTimeout(cluster.ping(), PING_TIMEOUT_MS),
    ]);
    const unreachable = [
      ...(databaseAnswer.status === "rejected" ? ["DATABASE_UNREACHABLE"] : []),
      ...(redisAnswer.status === "rejected" ? ["REDIS_UNREACHABLE"] : []),
    ];
    if (cluster.bus) body.redis = redisAnswer.status === "fulfilled" ? "ok" : "unreachable";
    if (unreachable.length === 0) response.status(200).json({ status: "ok", ...body });
    else response.status(503).json({ status: "unavailable", ...body, error: unreachable[0], errors: unreachable });
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
