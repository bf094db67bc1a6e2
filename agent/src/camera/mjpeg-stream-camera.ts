/**
 * Real-time capture: runs `ffmpeg … -f mjpeg pipe:1` or `rpicam-vid --codec mjpeg -o -` and splits
 * the JPEGs out of its stdout. The camera keeps one process open (no per-shot device open, unlike
 * fswebcam) and hands on only the newest complete frame of each read, so a slow consumer never
 * builds a backlog of stale pictures. If the process exits it is restarted with backoff.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../../lib/logger.js';
import type { Camera, CameraFrame } from '../ports/index.js';
import { Backoff } from '../backoff.js';
import { CameraError } from '../errors.js';
import { JpegSplitter } from './jpeg-splitter.js';

export interface MjpegStreamCameraOptions {
  source: 'ffmpeg' | 'rpicam';
  device?: string;
  width: number;
  height: number;
  fps: number;
  /** ffmpeg input arguments replacing the V4L2 input (e.g. a lavfi test source). */
  input?: string[];
  logger: Logger;
  /** Override the executable (tests, or a non-standard install). */
  command?: string;
  restartMinMs?: number;
  restartMaxMs?: number;
}

/** The command line for a source; exported so it can be logged and tested. */
export function streamCommand(o: MjpegStreamCameraOptions): { command: string; args: string[] } {
  if (o.source === 'rpicam') {
    const args = [
      '--codec',
      'mjpeg',
      '-t',
      '0',
      '--nopreview',
      '--width',
      String(o.width),
      '--height',
      String(o.height),
      '--framerate',
      String(o.fps),
    ];
    if (o.device) args.push('--camera', o.device);
    args.push('-o', '-');
    return { command: o.command ?? 'rpicam-vid', args };
  }
  const input = o.input ?? ['-f', 'v4l2', '-video_size', `${o.width}x${o.height}`, '-i', o.device ?? '/dev/video0'];
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-an',
    '-vf',
    `fps=${o.fps},scale=${o.width}:${o.height}`,
    '-q:v',
    '5',
    '-f',
    'mjpeg',
    'pipe:1',
  ];
  return { command: o.command ?? 'ffmpeg', args };
}

export class MjpegStreamCamera implements Camera {
  private child: ChildProcess | null = null;
  private running = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  /** Frames seen from the current process; a process that produced frames resets the backoff. */
  private framesThisRun = 0;
  /** Restarts so far (for logs and tests). */
  restarts = 0;

  constructor(private readonly options: MjpegStreamCameraOptions) {
    this.backoff = new Backoff({ minMs: options.restartMinMs ?? 500, maxMs: options.restartMaxMs ?? 30_000 });
    this.log = options.logger.child({ component: 'stream-camera', source: options.source });
  }

  async start(onFrame: (frame: CameraFrame) => void, onError: (err: Error) => void): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.spawnProcess(onFrame, onError);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('close', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private spawnProcess(onFrame: (frame: CameraFrame) => void, onError: (err: Error) => void): void {
    const { command, args } = streamCommand(this.options);
    this.log.info({ command, args }, 'starting camera stream');
    const splitter = new JpegSplitter();
    let stderrTail = '';
    this.framesThisRun = 0;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => {
      const frames = splitter.push(chunk);
      const newest = frames.at(-1);
      if (!newest || !this.running) return;
      if (this.framesThisRun === 0) this.backoff.reset();
      this.framesThisRun += frames.length;
      onFrame({ jpeg: newest, capturedAt: Date.now() });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-500);
    });
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      if (this.child === child) this.child = null;
      if (!this.running) return;
      onError(err);
      const delay = this.backoff.next();
      this.restarts += 1;
      this.log.warn({ delayMs: delay }, 'camera stream stopped, restarting');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.running) this.spawnProcess(onFrame, onError);
      }, delay);
    };
    child.on('error', (cause) => fail(new CameraError(`cannot run ${command}`, { cause })));
    child.on('close', (code, signal) => {
      const why = signal ? `signal ${signal}` : `code ${code}`;
      fail(new CameraError(`${command} exited (${why})${stderrTail ? `: ${stderrTail.trim()}` : ''}`));
    });
  }
}
