/**
 * Turning a received upload into a deck, all or nothing: slides are rendered into a fresh
 * `.tmp-build-*` folder of the store, which becomes `<dir>/<deckId>/` in one rename only once
 * every file and deck.json are written. Whatever happens, the upload's temp folder and any
 * unfinished build folder are removed, and no other deck is touched.
 */
import { rm } from 'node:fs/promises';
import { type StoredDeck, type StoredSlide, MAX_TITLE_CHARS, normalizeTitle } from './deck-file';
import { newDeckId, newToken } from './ids';
import { type UploadFailure, type UploadLimits, fail } from './limits';
import type { PdfDocument } from './pdf';
import { mapBounded } from './pool';
import { sealVariants } from './seal';
import { sortNatural } from './natural-sort';
import { type SlideSource, type UploadPlan, imageSources, pdfSources, planUpload, zipSources } from './sources';
import type { DeckStore } from './store';
import type { ProgressListener, ReceivedUpload } from './types';
import { OfficeConverter } from './office/converter';

export interface BuildOptions {
  /** Converts Office presentations; share one per server so its queue bounds them all. */
  office?: OfficeConverter;
  /**
   * Aborted when the client goes away: a running conversion or PDF render child is killed, no
   * further slide is made, and no deck is made (checked after every stage and before every slide).
   */
  signal?: AbortSignal;
}

export async function buildDeck(
  store: DeckStore,
  received: ReceivedUpload,
  limits: UploadLimits,
  onProgress?: ProgressListener,
  options: BuildOptions = {},
): Promise<{ ok: true; deck: StoredDeck } | UploadFailure> {
  let buildDir: string | undefined;
  let pdf: PdfDocument | undefined;
  try {
    const { signal } = options;
    const plan = await planUpload(received.files);
    if (!plan.ok) return plan;
    if (signal?.aborted) return cancelledUpload();
    const prepared = await prepare(plan, received.tmpDir, limits, onProgress, options);
    if (!prepared.ok) return prepared;
    pdf = prepared.pdf;
    if (signal?.aborted) return cancelledUpload();
    buildDir = await store.makeTempDir('build');
    const slides = await renderAll(prepared.sources, buildDir, limits, onProgress, signal);
    if (!slides.ok) return slides;
    if (signal?.aborted) return cancelledUpload();
    const deck: StoredDeck = {
      id: newDeckId(),
      title: received.title ?? defaultTitle(plan),
      createdAt: new Date().toISOString(),
      source: plan.kind,
      slides: slides.results.map((result) => result.slide),
    };
    await store.commit(buildDir, deck);
    buildDir = undefined;
    return { ok: true, deck };
  } catch (error) {
    return fail(500, `Could not build the deck: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await pdf?.close();
    if (buildDir) await store.removeQuietly(buildDir);
    await rm(received.tmpDir, { recursive: true, force: true, maxRetries: 2 });
  }
}

async function prepare(
  plan: UploadPlan,
  tmpDir: string,
  limits: UploadLimits,
  onProgress?: ProgressListener,
  options: BuildOptions = {},
): Promise<{ ok: true; sources: SlideSource[]; pdf?: PdfDocument } | UploadFailure> {
  if (plan.kind === 'images') return imageSources(plan.files, limits);
  if (plan.kind === 'zip') return zipSources(plan.file, tmpDir, limits, onProgress);
  if (plan.kind !== 'office') return pdfSources(plan.file, limits, [], options.signal);
  const converter = options.office ?? new OfficeConverter();
  const converted = await converter.convert(plan.file, plan.office, tmpDir, options.signal, onProgress);
  if (!converted.ok) return converted;
  return pdfSources({ ...plan.file, path: converted.pdf }, limits, converted.notes, options.signal);
}

/** Makes every slide's files, `limits.concurrency` at a time, in slide order. */
function renderAll(sources: SlideSource[], buildDir: string, limits: UploadLimits, onProgress?: ProgressListener, signal?: AbortSignal) {
  const total = sources.length;
  let done = 0;
  onProgress?.({ type: 'progress', stage: 'rendering', done, total });
  return mapBounded(sources, limits.concurrency, async (source): Promise<{ ok: true; slide: StoredSlide } | UploadFailure> => {
    if (signal?.aborted) return cancelledUpload();
    const token = newToken();
    const made = await source.make(buildDir, token);
    if (!made.ok) return made;
    if (signal?.aborted) return cancelledUpload();
    // Sealed copies of the variants just written: phones may prefetch them before the slide is shown.
    const slide: StoredSlide = { token, name: source.name, ...made.rendered, ...(await sealVariants(buildDir, token, made.rendered.widths)) };
    if (made.text !== undefined) slide.text = made.text;
    if (made.heading !== undefined) slide.heading = made.heading;
    if (made.notes !== undefined) slide.notes = made.notes;
    onProgress?.({ type: 'progress', stage: 'rendering', done: ++done, total, file: source.name });
    return { ok: true, slide };
  });
}

/** The client went away: the same answer an Office conversion gives when cancelled. */
function cancelledUpload(): UploadFailure {
  return fail(400, 'The upload was cancelled.', undefined, 'upload_cancelled');
}

/**
 * The PDF's, ZIP's or presentation's file name; for images, what their names have in common
 * ("Quarterly review 1.png", "Quarterly review 2.png": "Quarterly review"), else the first one's
 * name (in slide order). "Untitled deck" only when no name has anything to say.
 */
export function defaultTitle(plan: UploadPlan): string {
  const names = plan.kind === 'images' ? sortNatural(plan.files.map((file) => file.name), (name) => name) : [plan.file.name];
  const stems = names.map((name) => name.slice(name.lastIndexOf('/') + 1).replace(/\.[^.]{1,5}$/, ''));
  const common = stems.length > 1 ? commonPrefix(stems).replace(/[\s\d_.\-–—#(]+$/u, '') : '';
  const chosen = [...common].length >= 3 ? common : stems[0] ?? '';
  return normalizeTitle([...chosen].slice(0, MAX_TITLE_CHARS).join('')) ?? 'Untitled deck';
}

function commonPrefix(texts: string[]): string {
  let prefix = texts[0] ?? '';
  for (const text of texts) while (!text.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
