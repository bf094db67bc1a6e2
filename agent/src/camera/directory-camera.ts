/**
 * A camera that reads image files from a folder — the simulated door of `npm start`.
 * - replay: cycles through the images in natural order, one every intervalMs (re-listing the folder
 *   each time, so added files join the cycle).
 * - watch: polls the folder every intervalMs and emits each new or changed file once. This is how
 *   a person "walks up" to the simulated door: copy their photo into the folder. A file is emitted
 *   only once its size and mtime held still for one poll, so a half-copied photo is never sent.
 *   Files already present at start are the background, not arrivals, and are not emitted.
 * Polling rather than fs.watch: it behaves the same on every filesystem (network shares, Docker
 * volumes) and the cost of listing a small folder once a second is nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import type { Camera, CameraFrame } from '../ports/index.js';
import { CameraError } from '../errors.js';
import { listImageFiles } from './image-files.js';

export interface DirectoryCameraOptions {
  path: string;
  mode: 'replay' | 'watch';
  intervalMs: number;
  logger: Logger;
}

interface FileSignature {
  size: number;
  mtimeMs: number;
}

const sameSignature = (a: FileSignature | undefined, b: FileSignature) =>
  !!a && a.size === b.size && a.mtimeMs === b.mtimeMs;

export class DirectoryCamera implements Camera {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private replayIndex = 0;
  /** watch mode: the signature seen on the previous poll, and the one last emitted, per file. */
  private readonly lastPoll = new Map<string, FileSignature>();
  private readonly emitted = new Map<string, FileSignature>();
  private lastErrorMessage = '';
  private readonly log: Logger;
  /** The poll under way, so stop() can wait for it: after stop() resolves nothing more is emitted. */
  private inFlight: Promise<void> | null = null;
  private polls = 0;

  constructor(private readonly options: DirectoryCameraOptions) {
    this.log = options.logger.child({ component: 'directory-camera', mode: options.mode });
  }

  /** Polls completed since start (a poll that failed counts too): lets a caller see the camera looked. */
  get pollsCompleted(): number {
    return this.polls;
  }

  async start(onFrame: (frame: CameraFrame) => void, onError: (err: Error) => void): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.mode === 'watch') {
      // Everything already there is the background; only arrivals and changes are frames.
      try {
        for (const [name, sig] of await this.scan()) {
          this.lastPoll.set(name, sig);
          this.emitted.set(name, sig);
        }
      } catch (err) {
        this.report(onError, err);
      }
    }
    this.log.info({ path: this.options.path, intervalMs: this.options.intervalMs }, 'directory camera started');
    const poll = async () => {
      try {
        if (this.options.mode === 'replay') await this.replayOne(onFrame);
        else await this.pollWatched(onFrame);
        this.lastErrorMessage = '';
      } catch (err) {
        this.report(onError, err);
      }
      this.polls++;
    };
    const tick = async () => {
      if (!this.running) return;
      this.inFlight = poll();
      await this.inFlight;
      this.inFlight = null;
      if (this.running) this.timer = setTimeout(() => void tick(), this.options.intervalMs);
    };
    this.timer = setTimeout(() => void tick(), this.options.mode === 'replay' ? 0 : this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Whether a poll is scheduled or under way. */
  get active(): boolean {
    return this.timer !== null || this.inFlight !== null;
  }

  private async replayOne(onFrame: (frame: CameraFrame) => void): Promise<void> {
    const files = await listImageFiles(this.options.path);
    if (files.length === 0) return;
    const name = files[this.replayIndex % files.length] as string;
    this.replayIndex = (this.replayIndex + 1) % files.length;
    const jpeg = await fs.readFile(path.join(this.options.path, name));
    if (this.running) onFrame({ jpeg, capturedAt: Date.now() });
  }

  private async pollWatched(onFrame: (frame: CameraFrame) => void): Promise<void> {
    const current = await this.scan();
    for (const [name, sig] of current) {
      const stable = sameSignature(this.lastPoll.get(name), sig);
      this.lastPoll.set(name, sig);
      if (!stable || sameSignature(this.emitted.get(name), sig)) continue;
      this.emitted.set(name, sig);
      const jpeg = await fs.readFile(path.join(this.options.path, name));
      this.log.debug({ file: name }, 'new picture in watched folder');
      if (this.running) onFrame({ jpeg, capturedAt: Date.now() });
    }
    for (const name of [...this.lastPoll.keys()]) {
      if (!current.has(name)) {
        // Removed: forget it, so copying the same photo in again counts as a new arrival.
        this.lastPoll.delete(name);
        this.emitted.delete(name);
      }
    }
  }

  private async scan(): Promise<Map<string, FileSignature>> {
    const result = new Map<string, FileSignature>();
    for (const name of await listImageFiles(this.options.path)) {
      try {
        const st = await fs.stat(path.join(this.options.path, name));
        result.set(name, { size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // Deleted between readdir and stat: simply not there.
      }
    }
    return result;
  }

  /** Reports each distinct failure once rather than once per poll, so a missing folder does not flood the log. */
  private report(onError: (err: Error) => void, err: unknown): void {
    const error = new CameraError(`cannot read images from ${this.options.path}`, { cause: err });
    const message = err instanceof Error ? err.message : String(err);
    if (message === this.lastErrorMessage) return;
    this.lastErrorMessage = message;
    onError(error);
  }
}
