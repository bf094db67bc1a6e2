import sharp from 'sharp';

/** A photo centred on a 640×480 grey frame (photos are 250 px: a face at a door camera's distance). */
export async function cameraFrame(photo: string): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
    .composite([{ input: await sharp(photo).resize(250, 250).toBuffer(), left: 195, top: 115 }])
    .jpeg({ quality: 82 })
    .toBuffer();
}
