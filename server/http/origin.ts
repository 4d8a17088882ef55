/**
 * Where a request comes from, decided once for every door: the client's address and the origin it
 * addressed (believing X-Forwarded-* headers only from the proxies TRUST_PROXY names), and the one
 * origin rule that form posts, Socket.io and the collaboration upgrade all apply.
 *
 * Nothing here throws: a missing, "null" or unparseable value is simply "not ours".
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import proxyaddr from "proxy-addr";
import type { TrustProxy } from "../config.js";

/** Whether the proxy at `address`, `hop` steps from the server (0: the one we talk to), is trusted. */
export type TrustFunction = (address: string, hop: number) => boolean;

/** TRUST_PROXY as a function, the form Express's "trust proxy" setting also takes. */
export function compileTrust(trust: TrustProxy): TrustFunction {
  switch (trust.kind) {
    case "off":
      return () => false;
    case "hops":
      return (_address, hop) => hop < trust.hops;
    case "addresses":
      return proxyaddr.compile(trust.addresses);
  }
}

/** A Host value: a DNS name or IPv4 address, or an IPv6 address in brackets, with an optional port. */
const hostPattern = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function isValidHost(value: string | undefined): value is string {
  if (!value || value.length > 260 || !hostPattern.test(value)) return false;
  const port = /:(\d+)$/.exec(value)?.[1];
  return port === undefined || Number(port) <= 65535;
}

function firstForwarded(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const first = raw?.split(",")[0]?.trim();
  return first ? first : undefined;
}

export interface RequestSource {
  /** The client's address: the socket's peer, or what trusted proxies forwarded. */
  clientIp: string | null;
  /** `https://host:port` as the browser addressed the server, or null when the Host is not valid. */
  origin: string | null;
  /** The host part of `origin` (name and port). */
  host: string | null;
  protocol: "http" | "https";
}

/** Reads a request's source, trusting forwarded headers only from trusted proxies. */
export function requestSource(request: IncomingMessage, trust: TrustFunction): RequestSource {
  const peer = request.socket.remoteAddress ?? "";
  const fromTrustedProxy = peer !== "" && trust(peer, 0);
  let clientIp: string | null = peer || null;
  if (fromTrustedProxy) {
    try {
      clientIp = proxyaddr(request, trust);
    } catch {
      clientIp = peer || null;
    }
  }
  const forwardedProto = fromTrustedProxy ? firstForwarded(request.headers["x-forwarded-proto"])?.toLowerCase() : undefined;
  const protocol: "http" | "https" =
    forwardedProto === "https" || forwardedProto === "http"
      ? forwardedProto
      : (request.socket as TLSSocket).encrypted
        ? "https"
        : "http";
  const forwardedHost = fromTrustedProxy ? firstForwarded(request.headers["x-forwarded-host"]) : undefined;
  const host = forwardedHost ?? request.headers.host;
  if (!isValidHost(host)) return { clientIp, origin: null, host: null, protocol };
  const origin = parseOrigin(`${protocol}://${host}`);
  return { clientIp, origin, host: origin ? new URL(origin).host : null, protocol };
}

/** The serialised origin of an http(s) URL (lower-case host, default port dropped), or null. */
export function parseOrigin(value: string | undefined | null): string | null {
  if (!value || value === "null") return null;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

export interface OriginRule {
  /**
   * Is this request from one of our own pages? Its Origin (or, when a browser sends none, its
   * Referer's origin) must be PUBLIC_URL's origin or the origin the request itself addressed.
   * `whenAbsent`: what a request with neither header gets. Form posts refuse it; websocket and
   * Socket.io clients outside a browser send no Origin and are allowed (they need a session anyway).
   */
  isOwnOrigin(request: IncomingMessage, whenAbsent: "allow" | "refuse"): boolean;
  /** The request's source, as `requestSource` reads it with this server's trusted proxies. */
  source(request: IncomingMessage): RequestSource;
  publicOrigin: string;
}

/**
 * `publicUrl` is read when a request is decided, so a server started on PORT=0 without PUBLIC_URL
 * can name its own address once it listens.
 */
export function createOriginRule(options: { publicUrl: string | (() => string); trustProxy: TrustProxy }): OriginRule {
  const trust = compileTrust(options.trustProxy);
  const publicUrl = typeof options.publicUrl === "function" ? options.publicUrl : () => options.publicUrl as string;
  const originOfPublicUrl = () => {
    const origin = parseOrigin(publicUrl());
    if (!origin) throw new Error("PUBLIC_URL must be an http:// or https:// URL");
    return origin;
  };
  originOfPublicUrl();
  return {
    get publicOrigin() {
      return originOfPublicUrl();
    },
    source: (request) => requestSource(request, trust),
    isOwnOrigin(request, whenAbsent) {
      const originHeader = request.headers.origin;
      const refererHeader = request.headers.referer;
      if (originHeader === undefined && refererHeader === undefined) return whenAbsent === "allow";
      // A browser that sends Origin: null (a sandboxed frame, a file:// page) is never ours.
      const claimed = originHeader !== undefined ? parseOrigin(originHeader) : parseOrigin(refererHeader);
      if (claimed === null) return false;
      if (claimed === parseOrigin(publicUrl())) return true;
      return claimed === requestSource(request, trust).origin;
    },
  };
}
