/**
 * When each keystroke left its editor, readable by every load-generator thread: a ring per editor
 * slot in shared memory, indexed by the keystroke's Yjs clock, holding (clock, send time in
 * nanoseconds of `process.hrtime`). `process.hrtime` reads CLOCK_MONOTONIC, one clock for every
 * thread of the process, so a receiver in another worker subtracts two readings of the same clock.
 *
 * Also holds the measurement window (start and end, same clock): only keystrokes sent inside it
 * count, however late they arrive.
 */

/** Keystrokes remembered per editor; older ones are overwritten (their clock no longer matches). */
export const ringSize = 8192;
const controlWords = 2;

export interface SendTimesBuffer {
  buffer: SharedArrayBuffer;
  slots: number;
}

export function createSendTimes(slots: number): SendTimesBuffer {
  return { buffer: new SharedArrayBuffer((controlWords + slots * ringSize * 2) * 8), slots };
}

export class SendTimes {
  private readonly words: BigInt64Array;
  readonly slots: number;

  constructor({ buffer, slots }: SendTimesBuffer) {
    this.words = new BigInt64Array(buffer);
    this.slots = slots;
  }

  /** Starts a measurement window now: keystrokes sent from now on count. */
  startWindow(now = process.hrtime.bigint()): void {
    Atomics.store(this.words, 1, BigInt(Number.MAX_SAFE_INTEGER) * 1_000n);
    Atomics.store(this.words, 0, now);
  }

  /** Ends the window: keystrokes sent from now on no longer count. */
  endWindow(now = process.hrtime.bigint()): void {
    Atomics.store(this.words, 1, now);
  }

  /** Clears the window (nothing counts). */
  clearWindow(): void {
    Atomics.store(this.words, 0, 0n);
    Atomics.store(this.words, 1, 0n);
  }

  inWindow(sentAt: bigint): boolean {
    return sentAt >= Atomics.load(this.words, 0) && sentAt < Atomics.load(this.words, 1);
  }

  record(slot: number, clock: number, sentAt: bigint): void {
    if (slot < 0 || slot >= this.slots) return;
    const at = controlWords + (slot * ringSize + (clock % ringSize)) * 2;
    // Time first, then the clock that makes the entry valid: a reader never pairs a new clock with an old time.
    Atomics.store(this.words, at + 1, sentAt);
    Atomics.store(this.words, at, BigInt(clock));
  }

  /** The send time of an editor's keystroke, or undefined when it was not recorded (or overwritten). */
  lookup(slot: number, clock: number): bigint | undefined {
    if (slot < 0 || slot >= this.slots) return undefined;
    const at = controlWords + (slot * ringSize + (clock % ringSize)) * 2;
    if (Atomics.load(this.words, at) !== BigInt(clock)) return undefined;
    const sentAt = Atomics.load(this.words, at + 1);
    return sentAt === 0n ? undefined : sentAt;
  }
}
