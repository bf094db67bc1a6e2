/**
 * Splits a concatenated MJPEG byte stream (ffmpeg `-f mjpeg`, rpicam-vid `--codec mjpeg`) into JPEG
 * images on their SOI (FF D8) and EOI (FF D9) markers. Inside a JPEG's entropy-coded data every FF
 * byte is followed by 00 or a restart marker, so FF D9 only ever ends the image; these encoders put
 * no EXIF thumbnails (which could nest markers) in stream frames.
 */
const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

export class JpegSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Where to resume looking for EOI in `pending`, so a large frame is not rescanned per chunk. */
  private scanFrom = 0;

  /** @param maxFrameBytes a frame larger than this is garbage (or a stream we do not understand): drop it. */
  constructor(private readonly maxFrameBytes = 8 * 1024 * 1024) {}

  /** Feeds a chunk; returns the complete JPEGs it finished, oldest first. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const start = this.pending.indexOf(SOI);
      if (start < 0) {
        // Keep a trailing FF: it may be the first half of the next SOI.
        this.pending = this.pending.at(-1) === 0xff ? this.pending.subarray(-1) : Buffer.alloc(0);
        this.scanFrom = 0;
        break;
      }
      if (start > 0) {
        this.pending = this.pending.subarray(start);
        this.scanFrom = 0;
      }
      const end = this.pending.indexOf(EOI, Math.max(2, this.scanFrom));
      if (end < 0) {
        if (this.pending.length > this.maxFrameBytes) {
          // No end in sight: resynchronise on the next SOI after this one.
          this.pending = this.pending.subarray(2);
          this.scanFrom = 0;
          continue;
        }
        this.scanFrom = Math.max(2, this.pending.length - 1);
        break;
      }
      // Copy out so the frame does not pin the (possibly large) accumulated buffer.
      frames.push(Buffer.from(this.pending.subarray(0, end + 2)));
      this.pending = this.pending.subarray(end + 2);
      this.scanFrom = 0;
    }
    return frames;
  }
}
