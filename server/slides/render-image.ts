/**
 * One slide's image files, made with sharp: WebP + JPEG at 640, 1280 and 1920 px wide, a 320 px
 * WebP thumbnail and a tiny blurred placeholder. The source is decoded once (EXIF-rotated, GIFs
 * and animated WebPs at their first frame) into raw pixels no wider than the largest variant;
 * every output is encoded from those pixels.
 */
import path from 'node:path';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { thumbFileName, variantFileName } from './ids';
import { type UploadFailure, fail } from './limits';

export const VARIANT_WIDTHS = [640, 1280, 1920] as const;
const MAX_WIDTH = VARIANT_WIDTHS[VARIANT_WIDTHS.length - 1];
/** Portrait slides stay readable; an endless strip does not become a 100 MB bitmap. */
const MAX_HEIGHT = MAX_WIDTH * 4;
const THUMB_WIDTH = 320;
const PLACEHOLDER_WIDTH = 32;
const ACCEPTED_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

/** Decoded 8-bit sRGB pixels. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface RenderedSlide {
  width: number;
  height: number;
  widths: number[];
  placeholder: string;
}

/**
 * Decodes an image file, refusing what is not PNG/JPEG/GIF/WebP (415), has more than
 * `maxPixels` pixels (checked from the header, before decoding) or does not decode cleanly (422).
 */
export async function decodeImage(file: string, label: string, maxPixels: number): Promise<{ ok: true; image: RawImage } | UploadFailure> {
  // failOn 'error': a truncated or damaged image is refused instead of rendered half grey.
  const options: SharpOptions = { limitInputPixels: maxPixels, failOn: 'error', animated: false };
  // Header only, so no pixel limit yet: we want the real size to name it in the refusal.
  const meta = await sharp(file, { ...options, limitInputPixels: false }).metadata().catch(() => undefined);
  if (!meta) return fail(422, 'The image is damaged or cannot be read.', label);
  if (!meta.format || !ACCEPTED_FORMATS.has(meta.format)) return fail(415, 'Not a PNG, JPEG, GIF or WebP image.', label);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > maxPixels) {
    return fail(422, `The image is too large: ${width}×${height} pixels, at most ${maxPixels / 1e6} megapixels.`, label);
  }
  try {
    const { data, info } = await sharp(file, options)
      .rotate()
      .resize({ width: MAX_WIDTH, height: MAX_HEIGHT, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { ok: true, image: { data, width: info.width, height: info.height, channels: info.channels } };
  } catch {
    return fail(422, 'The image is damaged or cannot be read.', label);
  }
}

/** Widths to make: each standard width below the source's, and the source's own (capped). */
export function variantWidths(sourceWidth: number): number[] {
  const widths: number[] = VARIANT_WIDTHS.filter((w) => w < sourceWidth);
  widths.push(Math.min(sourceWidth, MAX_WIDTH));
  return widths;
}

/** Writes every file of the slide `token` into `outDir`. */
export async function renderVariants(image: RawImage, outDir: string, token: string): Promise<RenderedSlide> {
  const source = (): Sharp =>
    sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  const widths = variantWidths(image.width);
  let height = image.height;
  for (const width of widths) {
    const resized = width === image.width ? source() : source().resize({ width });
    const [webp] = await Promise.all([
      resized.clone().webp({ quality: 80 }).toFile(path.join(outDir, variantFileName(token, width, 'webp'))),
      // JPEG has no alpha: transparent areas become white, as on a slide.
      resized.clone().flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: false }).toFile(path.join(outDir, variantFileName(token, width, 'jpeg'))),
    ]);
    height = webp.height;
  }
  await source()
    .resize({ width: Math.min(THUMB_WIDTH, image.width) })
    .webp({ quality: 70 })
    .toFile(path.join(outDir, thumbFileName(token)));
  return { width: widths[widths.length - 1]!, height, widths, placeholder: await placeholder(source()) };
}

/** A few hundred bytes at most: inlined in every slide message and painted before the image. */
async function placeholder(source: Sharp): Promise<string> {
  const tiny = await source
    .resize({ width: PLACEHOLDER_WIDTH, height: PLACEHOLDER_WIDTH * 2, fit: 'inside', withoutEnlargement: true })
    .blur(1)
    .webp({ quality: 40, alphaQuality: 40 })
    .toBuffer();
  return `data:image/webp;base64,${tiny.toString('base64')}`;
}
