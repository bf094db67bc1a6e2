/**
 * Refuses an oversized MQTT packet as soon as its header announces it, before the broker buffers
 * it. aedes (and mqtt-packet under it) would otherwise collect up to 256 MB per packet in memory
 * before `authorizePublish` ever sees the size; this cuts such a connection after a few bytes.
 *
 * It watches the bytes aedes reads from the socket: aedes consumes its connection only through
 * `read()` (and so would `pipe`/async iteration), so wrapping that one method sees every byte
 * without putting another stream between TLS and the broker.
 */
import type { Readable } from 'node:stream';

export interface PacketSizeViolation {
  /** Remaining length the packet header announced, or -1 for a malformed length field. */
  declaredBytes: number;
  packetType: number;
}

/** Tracks MQTT framing (fixed header, variable-length "remaining length", body) across chunks. */
export class MqttFrameScanner {
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxRemainingLength: number) {}

  /** Returns a violation as soon as one is seen, else null. */
  feed(chunk: Uint8Array): PacketSizeViolation | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.packetType = byte >> 4;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // 'length': up to four 7-bit groups, least significant first (MQTT 3.1.1 §2.2.3).
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return { declaredBytes: -1, packetType: this.packetType };
        continue;
      }
      if (this.length > this.maxRemainingLength) return { declaredBytes: this.length, packetType: this.packetType };
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
    return null;
  }
}

/**
 * Destroys `socket` (after calling `onViolation`) the moment a packet longer than
 * `maxRemainingLength` is announced. Returns nothing: the socket is guarded in place.
 */
export function guardPacketSize(
  socket: Readable,
  maxRemainingLength: number,
  onViolation: (violation: PacketSizeViolation) => void,
): void {
  const scanner = new MqttFrameScanner(maxRemainingLength);
  const read = socket.read.bind(socket);
  let violated = false;
  socket.read = (size?: number) => {
    if (violated) return null;
    const chunk: unknown = read(size);
    if (chunk instanceof Uint8Array) {
      const violation = scanner.feed(chunk);
      if (violation) {
        violated = true;
        onViolation(violation);
        socket.destroy();
        return null; // the oversized packet's first bytes never reach the parser
      }
    }
    return chunk;
  };
}
