/**
 * Images for slide tests, made with sharp at run time: no binary fixtures in the repository.
 * Each image has a coloured band and a diagonal so resizing and rotation are visible.
 */
import sharp from 'sharp';

export type FixtureFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageOptions {
  width?: number;
  height?: number;
  format?: FixtureFormat;
  /** Random noise: realistic, incompressible file sizes. */
  noise?: boolean;
  alpha?: boolean;
  /** PNG zlib level (0 = uncompressed: a big file that a ZIP shrinks to almost nothing). */
  pngCompression?: number;
  /** EXIF orientation tag (6 = rotate 90° clockwise when displayed). */
  orientation?: number;
}

export async function makeImage(options: ImageOptions = {}): Promise<Buffer> {
  const width = options.width ?? 800;
  const height = options.height ?? 450;
  const channels = options.alpha ? 4 : 3;
  const base = options.noise
    ? sharp({ create: { width, height, channels, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    : sharp(Buffer.from(svg(width, height, options.alpha ?? false)));
  let image = base;
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  switch (options.format ?? 'png') {
    case 'jpeg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 90 }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    default:
      return image.png({ compressionLevel: options.pngCompression ?? (options.noise ? 1 : 6) }).toBuffer();
  }
}

/** A two-frame animated GIF: red first frame, blue second. */
export async function makeAnimatedGif(width = 120, height = 90): Promise<Buffer> {
  const frames = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height * 2}">` +
      `<rect width="${width}" height="${height}" fill="#e11"/><rect y="${height}" width="${width}" height="${height}" fill="#11e"/></svg>`,
  );
  const { data, info } = await sharp(frames).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 4, pageHeight: height } })
    .gif({ loop: 0 })
    .toBuffer();
}

function svg(width: number, height: number, alpha: boolean): string {
  const background = alpha ? 'fill-opacity="0.4" fill="#2a6"' : 'fill="#2a6"';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" ${background}/>` +
    `<rect width="100%" height="${Math.round(height / 5)}" fill="#c33"/>` +
    `<line x1="0" y1="0" x2="${width}" y2="${height}" stroke="#fff" stroke-width="${Math.max(2, width / 100)}"/>` +
    `</svg>`
  );
}
