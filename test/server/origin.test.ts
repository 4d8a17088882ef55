/**
 * The one origin rule (server/http/origin.ts) that form posts, Socket.io and the collaboration
 * upgrade all apply, and the one reading of forwarded headers behind TRUST_PROXY.
 */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { TrustProxy } from "../../server/config.js";
import { createOriginRule, isValidHost, parseOrigin } from "../../server/http/origin.js";

function request(headers: Record<string, string>, remoteAddress = "127.0.0.1"): IncomingMessage {
  return { headers, socket: { remoteAddress, encrypted: false } } as unknown as IncomingMessage;
}

const off: TrustProxy = { kind: "off" };

describe("the one origin rule", () => {
  const rule = createOriginRule({ publicUrl: "https://stewardship.example.govt.nz", trustProxy: off });

  it("treats null, garbage and other schemes as not ours, and never throws", () => {
    for (const origin of ["null", "not a url", "", "file:///etc/passwd", "javascript:alert(1)", "http://", "%E0%A4%A", "http://[::1"]) {
      expect(rule.isOwnOrigin(request({ host: "stewardship.example.govt.nz", origin }), "allow"), origin).toBe(false);
      expect(rule.isOwnOrigin(request({ host: "stewardship.example.govt.nz", origin }), "refuse"), origin).toBe(false);
    }
  });

  it("accepts PUBLIC_URL's origin and the origin the request itself addressed", () => {
    expect(rule.isOwnOrigin(request({ host: "10.0.0.5:3000", origin: "https://stewardship.example.govt.nz" }), "refuse")).toBe(true);
    expect(rule.isOwnOrigin(request({ host: "10.0.0.5:3000", origin: "http://10.0.0.5:3000" }), "refuse")).toBe(true);
    expect(rule.isOwnOrigin(request({ host: "10.0.0.5:3000", origin: "http://10.0.0.5:3001" }), "refuse")).toBe(false);
    expect(rule.isOwnOrigin(request({ host: "10.0.0.5:3000", origin: "https://evil.example" }), "refuse")).toBe(false);
  });

  it("falls back to the Referer's origin, and decides a request with neither as the door asks", () => {
    expect(rule.isOwnOrigin(request({ host: "x", referer: "https://stewardship.example.govt.nz/groups/1" }), "refuse")).toBe(true);
    expect(rule.isOwnOrigin(request({ host: "x", referer: "https://evil.example/" }), "refuse")).toBe(false);
    expect(rule.isOwnOrigin(request({ host: "x" }), "refuse")).toBe(false);
    expect(rule.isOwnOrigin(request({ host: "x" }), "allow")).toBe(true);
  });

  it("believes X-Forwarded-Host and -Proto only from a trusted proxy", () => {
    const forwarded = { host: "127.0.0.1:3001", "x-forwarded-host": "portal.example", "x-forwarded-proto": "https", origin: "https://portal.example" };
    expect(rule.isOwnOrigin(request(forwarded), "refuse")).toBe(false);
    const behindNginx = createOriginRule({ publicUrl: "https://stewardship.example.govt.nz", trustProxy: { kind: "hops", hops: 1 } });
    expect(behindNginx.isOwnOrigin(request(forwarded), "refuse")).toBe(true);
    expect(behindNginx.source(request({ ...forwarded, "x-forwarded-for": "203.0.113.9" })).clientIp).toBe("203.0.113.9");
    expect(rule.source(request({ ...forwarded, "x-forwarded-for": "203.0.113.9" })).clientIp).toBe("127.0.0.1");
    const byAddress = createOriginRule({ publicUrl: "https://x.example", trustProxy: { kind: "addresses", addresses: ["10.0.0.0/8"] } });
    expect(byAddress.source(request({ host: "a", "x-forwarded-for": "203.0.113.9" }, "10.1.2.3")).clientIp).toBe("203.0.113.9");
    expect(byAddress.source(request({ host: "a", "x-forwarded-for": "203.0.113.9" }, "192.168.1.1")).clientIp).toBe("192.168.1.1");
  });
});

describe("hosts and origins", () => {
  it("accepts host names, IPv4 and bracketed IPv6 addresses with ports, and nothing else", () => {
    for (const host of ["localhost", "localhost:3000", "127.0.0.1:80", "[::1]:3000", "stewardship.example.govt.nz"]) expect(isValidHost(host), host).toBe(true);
    for (const host of ["", "a b", "[::1", "host:99999", "host:", "-bad.example", "a/b", "évil.example", "x".repeat(300)]) {
      expect(isValidHost(host), host).toBe(false);
    }
  });

  it("serialises origins like a browser does", () => {
    expect(parseOrigin("HTTP://LocalHost:80/path")).toBe("http://localhost");
    expect(parseOrigin("null")).toBeNull();
    expect(parseOrigin(undefined)).toBeNull();
  });
});
