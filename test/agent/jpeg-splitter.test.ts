import { describe, expect, it } from 'vitest';
import { JpegSplitter } from '../../agent/src/camera/jpeg-splitter.js';
import { jpegWithSquare } from './support/images.js';

describe('JpegSplitter', () => {
  it('splits concatenated JPEGs however the stream is chunked', async () => {
    const frames = [await jpegWithSquare({ x: 0 }), await jpegWithSquare({ x: 90 }), await jpegWithSquare({ x: 180 })];
    const stream = Buffer.concat([Buffer.from('garbage before'), ...frames]);
    for (const chunkSize of [1, 7, 1000, stream.length]) {
      const splitter = new JpegSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...splitter.push(stream.subarray(i, i + chunkSize)));
      expect(out.length, `chunk ${chunkSize}`).toBe(3);
      out.forEach((f, i) => expect(f.equals(frames[i]!)).toBe(true));
    }
  });

  it('drops a frame that never ends once it exceeds the size bound, then resynchronises', async () => {
    const splitter = new JpegSplitter(1000);
    expect(splitter.push(Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(2000, 0x11)]))).toEqual([]);
    const good = await jpegWithSquare({ width: 32, height: 32 });
    const out = splitter.push(good);
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(good)).toBe(true);
  });
});
