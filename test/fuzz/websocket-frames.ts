/**
 * Websocket frames as a client writes them (RFC 6455), including the ones a client must never
 * write: unmasked, reserved bits set, unknown opcodes, fragmented control frames, lengths that
 * lie. Each malformed kind carries the close codes the server may answer it with.
 */
import type { Random } from "./fuzz-random.js";

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameOptions {
  opcode?: number;
  fin?: boolean;
  /** Client frames must be masked; `false` writes one the server must refuse. */
  masked?: boolean;
  /** RSV1–3 as the three bits 0b111 (no extension is negotiated, so any is an error). */
  rsv?: number;
  /** Announce this length instead of the payload's (the payload itself is still written). */
  announcedLength?: number | bigint;
}

export function frame(payload: Uint8Array, options: FrameOptions = {}): Buffer {
  const opcode = options.opcode ?? OPCODE.binary;
  const masked = options.masked ?? true;
  const length = options.announcedLength ?? payload.byteLength;
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (typeof length === "bigint" || length > 0xffff) {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  } else if (length >= 126) {
    header = Buffer.from([first, maskBit | 126, length >> 8, length & 0xff]);
  } else {
    header = Buffer.from([first, maskBit | length]);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const body = Buffer.alloc(payload.byteLength);
  for (let i = 0; i < payload.byteLength; i++) body[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

export interface MalformedFrame {
  kind: string;
  bytes: Buffer;
  /** The close codes the server may answer with. */
  closeCodes: number[];
}

/** A frame the websocket layer itself must refuse, with the close code it answers. */
export function malformedFrame(random: Random, maxMessageBytes: number): MalformedFrame {
  const payload = random.bytes(random.int(1, 60));
  const choices: (() => MalformedFrame)[] = [
    () => ({ kind: "unmasked frame", bytes: frame(payload, { masked: false }), closeCodes: [1002] }),
    () => ({ kind: "reserved bits set", bytes: frame(payload, { rsv: random.int(1, 7) }), closeCodes: [1002] }),
    () => ({ kind: "unknown opcode", bytes: frame(payload, { opcode: random.pick([0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]) }), closeCodes: [1002] }),
    () => ({ kind: "continuation with nothing to continue", bytes: frame(payload, { opcode: OPCODE.continuation }), closeCodes: [1002] }),
    () => ({ kind: "fragmented ping", bytes: frame(payload, { opcode: OPCODE.ping, fin: false }), closeCodes: [1002] }),
    () => ({ kind: "ping over 125 bytes", bytes: frame(random.bytes(126 + random.int(0, 200)), { opcode: OPCODE.ping }), closeCodes: [1002] }),
    () => {
      const code = random.pick([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]);
      return { kind: "close frame with an invalid code", bytes: frame(Uint8Array.of(code >> 8, code & 0xff), { opcode: OPCODE.close }), closeCodes: [1002] };
    },
    () => ({ kind: "close frame of one byte", bytes: frame(Uint8Array.of(3), { opcode: OPCODE.close }), closeCodes: [1002] }),
    () => ({ kind: "text frame that is not UTF-8", bytes: frame(Uint8Array.of(0xc3, 0x28, 0xff, 0xfe), { opcode: OPCODE.text }), closeCodes: [1007] }),
    () => ({ kind: "text frame", bytes: frame(Buffer.from(random.string(random.int(1, 80))), { opcode: OPCODE.text }), closeCodes: [1003] }),
    () => ({ kind: "frame announcing more than 1 MiB", bytes: frame(payload, { announcedLength: maxMessageBytes + random.int(1, 1_000_000) }), closeCodes: [1009] }),
    () => ({ kind: "frame announcing 2^63 bytes", bytes: frame(payload, { announcedLength: 2n ** 63n + BigInt(random.int(0, 1000)) }), closeCodes: [1009, 1002] }),
    () => {
      // A message in fragments whose total passes the limit, each fragment under it.
      const part = new Uint8Array(Math.ceil(maxMessageBytes / 2) + 1);
      return {
        kind: "fragmented message over 1 MiB",
        bytes: Buffer.concat([frame(part, { fin: false }), frame(part, { opcode: OPCODE.continuation, fin: false }), frame(part, { opcode: OPCODE.continuation })]),
        closeCodes: [1009],
      };
    },
    () => ({ kind: "new message inside a fragmented one", bytes: Buffer.concat([frame(payload, { fin: false }), frame(payload)]), closeCodes: [1002] }),
  ];
  return random.pick(choices)();
}
