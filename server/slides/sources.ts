/**
 * What an upload is, decided from file contents alone, and the ordered list of slides it makes:
 * several images, exactly one ZIP of images, or exactly one PDF. Each slide is a `SlideSource`
 * whose pixels are produced only when the renderer asks, so at most `concurrency` decoded slides
 * are in memory at once.
 */
import { normalizeText } from './deck-file';
import { type UploadFailure, type UploadLimits, fail } from './limits';
import { sortNatural } from './natural-sort';
import { PdfDocument } from './pdf';
import { type RawImage, decodeImage } from './render-image';
import { isImageKind, sniffFile } from './sniff';
import type { ProgressListener, ReceivedFile } from './types';
import { extractZip } from './zip';

export interface SlideSource {
  name: string;
  load(): Promise<{ ok: true; image: RawImage; text?: string } | UploadFailure>;
}

export type UploadPlan = { ok: true; kind: 'images'; files: ReceivedFile[] } | { ok: true; kind: 'zip' | 'pdf'; file: ReceivedFile };

const ACCEPTED = 'PNG, JPEG, GIF or WebP images, one ZIP of images, or one PDF';

export async function planUpload(files: ReceivedFile[]): Promise<UploadPlan | UploadFailure> {
  const kinds = [];
  for (const file of files) kinds.push(await sniffFile(file.path)); // one file handle at a time
  const unknown = kinds.findIndex((kind) => kind === undefined);
  if (unknown >= 0) return fail(415, `Unsupported file: upload ${ACCEPTED}.`, files[unknown]!.name);
  const pdfs = kinds.filter((kind) => kind === 'pdf').length;
  const zips = kinds.filter((kind) => kind === 'zip').length;
  if (pdfs + zips === 0) return { ok: true, kind: 'images', files };
  if (files.length === 1) return { ok: true, kind: pdfs ? 'pdf' : 'zip', file: files[0]! };
  const images = files.length - pdfs - zips;
  const parts = [count(pdfs, 'PDF'), count(zips, 'ZIP'), count(images, 'image')].filter(Boolean).join(', ');
  return fail(422, `Upload either images, one ZIP of images, or one PDF, not several kinds or several archives together (got ${parts}).`);
}

/** Image files in natural name order; over `maxSlides` is refused (busboy's files limit is the same). */
export function imageSources(files: ReceivedFile[], limits: UploadLimits): { ok: true; sources: SlideSource[] } | UploadFailure {
  if (files.length > limits.maxSlides) return fail(413, `Too many slides: at most ${limits.maxSlides}.`);
  const sources = sortNatural(files, (file) => file.name).map((file) => ({
    name: file.name,
    load: () => decodeImage(file.path, file.name, limits.maxPixels),
  }));
  return { ok: true, sources };
}

/** Extracts the ZIP into `tmpDir`; every kept entry must really be an image. */
export async function zipSources(
  zip: ReceivedFile,
  tmpDir: string,
  limits: UploadLimits,
  onProgress?: ProgressListener,
): Promise<{ ok: true; sources: SlideSource[] } | UploadFailure> {
  const extracted = await extractZip(zip, tmpDir, limits, onProgress);
  if (!extracted.ok) return extracted;
  const entries = extracted.entries.map((entry) => ({ ...entry, name: `${zip.name}/${entry.name}`, entry: entry.name }));
  for (const entry of entries) {
    if (!isImageKind(await sniffFile(entry.path))) return fail(415, `The ZIP may only contain PNG, JPEG, GIF or WebP images.`, entry.name);
  }
  const sources = sortNatural(entries, (entry) => entry.entry).map((entry) => ({
    name: entry.entry,
    load: () => decodeImage(entry.path, entry.name, limits.maxPixels),
  }));
  return { ok: true, sources };
}

/** Opens the PDF in its worker; one slide per page. The caller must `close()` the document. */
export async function pdfSources(
  file: ReceivedFile,
  limits: UploadLimits,
): Promise<{ ok: true; sources: SlideSource[]; pdf: PdfDocument } | UploadFailure> {
  const opened = await PdfDocument.open(file.path, file.name, limits);
  if (!opened.ok) return opened;
  const { pdf } = opened;
  const maxPages = Math.min(limits.maxPdfPages, limits.maxSlides);
  if (pdf.pages > maxPages) {
    await pdf.close();
    return fail(413, `The PDF has ${pdf.pages} pages: at most ${maxPages}.`, file.name);
  }
  if (pdf.pages === 0) {
    await pdf.close();
    return fail(422, 'The PDF has no pages.', file.name);
  }
  const sources = Array.from({ length: pdf.pages }, (_, i) => ({
    name: `page ${i + 1}`,
    load: async () => {
      const page = await pdf.renderPage(i + 1);
      if (!page.ok) return page;
      const text = normalizeText(page.text);
      return text === undefined ? { ok: true as const, image: page.image } : { ok: true as const, image: page.image, text };
    },
  }));
  return { ok: true, sources, pdf };
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}
