/**
 * The door's outbox for events: bounded, in order, and on disk so an outage, a restart or a power
 * cut loses nothing. Every event goes through it (also when online), so a new event never
 * overtakes an older queued one.
 *
 * On disk (a folder the agent alone uses):
 * - `events.jsonl`: one event per line, appended and fsync'd before append() returns.
 * - `delivered`: the eventId of the last event the broker acknowledged (PUBACK). Written by
 *   rename after each acknowledgement; not fsync'd, because losing it only means resending
 *   events the back end already has, and it drops those by eventId.
 * Loading keeps the lines after the `delivered` id; if that id is not in the file (the file was
 * compacted after it), every line is pending. So compaction — rewrite the pending lines to a new
 * file, rename it into place, then reset `delivered` — is safe at any crash point. A half-written
 * last line (power cut during an append) is skipped.
 *
 * Without a folder (tests, the admin site's virtual door) it keeps the same rules in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import { DoorEventMessage, validateMessage } from '../../../protocol/index.js';

export const DEFAULT_OUTBOX_MAX_EVENTS = 10_000;

export interface EventOutboxOptions {
  /** Folder for the queue files; null keeps the queue in memory only. */
  dir: string | null;
  maxEvents?: number;
  logger: Logger;
}

const LOG_FILE = 'events.jsonl';
const DELIVERED_FILE = 'delivered';

export class EventOutbox {
  private pending: DoorEventMessage[] = [];
  /** Index of the oldest pending event in `pending` (shifting a 10,000 array per ack is wasteful). */
  private head = 0;
  /** Lines in the log file that are delivered or dropped: compaction is due when they pile up. */
  private spentLines = 0;
  private fd: number | null = null;
  private droppedSinceEmpty = 0;
  private readonly maxEvents: number;
  private readonly log: Logger;

  private constructor(private readonly options: EventOutboxOptions) {
    this.maxEvents = options.maxEvents ?? DEFAULT_OUTBOX_MAX_EVENTS;
    this.log = options.logger.child({ component: 'outbox' });
  }

  /** Opens (creating the folder 0700 if needed) and loads what an earlier run left undelivered. */
  static open(options: EventOutboxOptions): EventOutbox {
    const outbox = new EventOutbox(options);
    outbox.load();
    return outbox;
  }

  get size(): number {
    return this.pending.length - this.head;
  }

  /** The oldest undelivered event. */
  peek(): DoorEventMessage | undefined {
    return this.pending[this.head];
  }

  /** How many events were dropped (oldest first) because the queue was full, since it was last empty. */
  get dropped(): number {
    return this.droppedSinceEmpty;
  }

  /** Queues an event, durably when on disk. When full, the oldest event is dropped to make room. */
  append(event: DoorEventMessage): void {
    if (this.size >= this.maxEvents) {
      const oldest = this.pending[this.head]!;
      if (this.droppedSinceEmpty === 0)
        this.log.error({ maxEvents: this.maxEvents }, 'outbox full: dropping oldest events');
      this.droppedSinceEmpty += 1;
      this.advance(oldest.eventId);
    }
    if (this.fd !== null) {
      fs.writeSync(this.fd, `${JSON.stringify(event)}\n`);
      fs.fdatasyncSync(this.fd);
    }
    this.pending.push(event);
  }

  /** The oldest event was delivered (acknowledged by the broker). */
  ack(eventId: string): void {
    if (this.peek()?.eventId !== eventId) return; // only the head can be acknowledged: order is the point
    this.advance(eventId);
    if (this.size === 0) this.droppedSinceEmpty = 0;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private advance(eventId: string): void {
    this.head += 1;
    this.spentLines += 1;
    if (this.options.dir) this.writeDelivered(eventId);
    if (this.size === 0 || this.spentLines >= Math.max(1000, this.maxEvents)) this.compact();
    else if (this.head > 4096) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private writeDelivered(eventId: string): void {
    const dir = this.options.dir!;
    const tmp = path.join(dir, `${DELIVERED_FILE}.tmp`);
    fs.writeFileSync(tmp, eventId, { mode: 0o600 });
    fs.renameSync(tmp, path.join(dir, DELIVERED_FILE));
  }

  /** Rewrites the log with only the pending events (see the file comment for why any crash point is safe). */
  private compact(): void {
    this.pending = this.pending.slice(this.head);
    this.head = 0;
    this.spentLines = 0;
    const dir = this.options.dir;
    if (!dir) return;
    const file = path.join(dir, LOG_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      if (this.pending.length) fs.writeSync(fd, this.pending.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = fs.openSync(file, 'a', 0o600);
    this.writeDelivered('');
  }

  private load(): void {
    const dir = this.options.dir;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, LOG_FILE);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let delivered = '';
    try {
      delivered = fs.readFileSync(path.join(dir, DELIVERED_FILE), 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const events: DoorEventMessage[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        skipped += 1; // a line cut short by a power loss
        continue;
      }
      const result = validateMessage(DoorEventMessage, json);
      if (result.ok) events.push(result.value);
      else skipped += 1;
    }
    const after = delivered ? events.findIndex((e) => e.eventId === delivered) : -1;
    this.pending = events.slice(after + 1);
    if (this.pending.length > this.maxEvents) {
      this.droppedSinceEmpty = this.pending.length - this.maxEvents;
      this.pending = this.pending.slice(-this.maxEvents);
    }
    if (skipped) this.log.warn({ skipped }, 'outbox: unreadable lines skipped');
    // Start from a clean file holding exactly the pending events.
    this.compact();
    if (this.size) this.log.info({ pending: this.size }, 'outbox: undelivered events from an earlier run');
  }
}
