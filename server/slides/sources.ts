/**
 * What an upload is, decided from file contents alone, and the ordered list of slides it makes:
 * several images, exactly one ZIP of images, or exactly one PDF. Each slide is a `SlideSource`
 * whose files are made only when the builder asks, so at most `concurrency` slides are in the
 * making at once. Images are decoded here and encoded by sharp; PDF pages are drawn and encoded
 * in the PDF's render child process, which writes the files itself.
 */
import { headingOf, normalizeText } from './deck-file';
import { type UploadFailure, type UploadLimits, fail } from './limits';
import { sortNatural } from './natural-sort';
import { PdfDocument } from './pdf';
import { type RenderedSlide, decodeImage, renderVariants } from './render-image';
import { type SniffedKind, isImageKind, sniffFile } from './sniff';
import type { ProgressListener, ReceivedFile } from './types';
import { extractZip } from './zip';
import { isNotesFileName, readNotesFile } from './zip-notes';
import { type OfficeKind, zipOfficeKind } from './office/formats';

export type MadeSlide = { ok: true; rendered: RenderedSlide; text?: string; heading?: string; notes?: string };

export interface SlideSource {
  name: string;
  /** Writes the slide's image files into `outDir` as slide `token`. */
  make(outDir: string, token: string): Promise<MadeSlide | UploadFailure>;
}

export type UploadPlan =
  | { ok: true; kind: 'images'; files: ReceivedFile[] }
  | { ok: true; kind: 'zip' | 'pdf'; file: ReceivedFile }
  | { ok: true; kind: 'office'; file: ReceivedFile; office: OfficeKind };

const ACCEPTED = 'PNG, JPEG, GIF or WebP images, one ZIP of images, one PDF, or one presentation (PowerPoint, OpenDocument or Keynote)';

export async function planUpload(files: ReceivedFile[]): Promise<UploadPlan | UploadFailure> {
  const kinds: Array<SniffedKind | OfficeKind | undefined> = [];
  for (const file of files) kinds.push(await sniffUpload(file.path)); // one file handle at a time
  const unknown = kinds.findIndex((kind) => kind === undefined);
  if (unknown >= 0) return fail(415, `Unsupported file: upload ${ACCEPTED}.`, files[unknown]!.name);
  const pdfs = kinds.filter((kind) => kind === 'pdf').length;
  const zips = kinds.filter((kind) => kind === 'zip').length;
  const offices = kinds.filter(isOfficeKind).length;
  if (pdfs + zips + offices === 0) return { ok: true, kind: 'images', files };
  if (files.length === 1) return singlePlan(files[0]!, kinds[0]!);
  const images = files.length - pdfs - zips - offices;
  const parts = [count(pdfs, 'PDF'), count(zips, 'ZIP'), count(offices, 'presentation'), count(images, 'image')].filter(Boolean).join(', ');
  return fail(422, `Upload either images, one ZIP of images, or one PDF or presentation, not several kinds or several archives together (got ${parts}).`);
}

/** The sniffed kind, with a ZIP that is really an Office package named as such. */
async function sniffUpload(file: string): Promise<SniffedKind | OfficeKind | undefined> {
  const kind = await sniffFile(file);
  if (kind === 'zip') return (await zipOfficeKind(file)) ?? 'zip';
  return kind;
}

function isOfficeKind(kind: SniffedKind | OfficeKind | undefined): kind is OfficeKind {
  return kind === 'pptx' || kind === 'odp' || kind === 'key' || kind === 'ole';
}

function singlePlan(file: ReceivedFile, kind: SniffedKind | OfficeKind): UploadPlan {
  if (isOfficeKind(kind)) return { ok: true, kind: 'office', file, office: kind };
  return { ok: true, kind: kind === 'pdf' ? 'pdf' : 'zip', file };
}

/** Image files in natural name order; over `maxSlides` is refused (busboy's files limit is the same). */
export function imageSources(files: ReceivedFile[], limits: UploadLimits): { ok: true; sources: SlideSource[] } | UploadFailure {
  if (files.length > limits.maxSlides) return fail(413, `Too many slides: at most ${limits.maxSlides}.`);
  const sources = sortNatural(files, (file) => file.name).map((file) => ({
    name: file.name,
    make: (outDir: string, token: string) => makeImage(file.path, file.name, limits, outDir, token),
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
  const all = extracted.entries.map((entry) => ({ ...entry, name: `${zip.name}/${entry.name}`, entry: entry.name }));
  const notesFiles = all.filter((entry) => isNotesFileName(entry.entry));
  if (notesFiles.length > 1) return fail(422, 'The ZIP has more than one notes file: keep one notes.md or notes.txt.', notesFiles[1]!.name);
  const entries = all.filter((entry) => !isNotesFileName(entry.entry));
  for (const entry of entries) {
    if (!isImageKind(await sniffFile(entry.path))) return fail(415, `The ZIP may only contain PNG, JPEG, GIF or WebP images (and one notes.md or notes.txt).`, entry.name);
  }
  if (entries.length === 0) return fail(422, 'The ZIP contains no images.', zip.name);
  const notes = notesFiles[0] ? await readNotesFile(notesFiles[0].path, notesFiles[0].name, entries.length) : { ok: true as const, notes: [] };
  if (!notes.ok) return notes;
  const sources = sortNatural(entries, (entry) => entry.entry).map((entry, i) => ({
    name: entry.entry,
    make: (outDir: string, token: string) => withNotes(makeImage(entry.path, entry.name, limits, outDir, token), notes.notes[i]),
  }));
  return { ok: true, sources };
}

async function makeImage(file: string, label: string, limits: UploadLimits, outDir: string, token: string): Promise<MadeSlide | UploadFailure> {
  const decoded = await decodeImage(file, label, limits.maxPixels);
  if (!decoded.ok) return decoded;
  return { ok: true, rendered: await renderVariants(decoded.image, outDir, token) };
}

async function withNotes<T extends { ok: boolean }>(loading: Promise<T>, notes: string | undefined): Promise<T & { notes?: string }> {
  const loaded = await loading;
  return loaded.ok && notes !== undefined ? { ...loaded, notes } : loaded;
}

/** Opens the PDF in a render child; one slide per page. The caller must `close()` the document. */
export async function pdfSources(
  file: ReceivedFile,
  limits: UploadLimits,
  notes: ReadonlyArray<string | undefined> = [],
  signal?: AbortSignal,
): Promise<{ ok: true; sources: SlideSource[]; pdf: PdfDocument } | UploadFailure> {
  const opened = await PdfDocument.open(file.path, file.name, limits, signal);
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
    make: async (outDir: string, token: string) => {
      const page = await pdf.renderPage(i + 1, outDir, token);
      if (!page.ok) return page;
      const text = normalizeText(page.text);
      const heading = headingOf(page.text);
      const slide: MadeSlide = { ok: true, rendered: page.slide };
      if (text !== undefined) slide.text = text;
      if (heading !== undefined) slide.heading = heading;
      if (notes[i] !== undefined) slide.notes = notes[i];
      return slide;
    },
  }));
  return { ok: true, sources, pdf };
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}
