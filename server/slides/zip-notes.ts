/**
 * Speaker notes for a ZIP of images, from a `notes.md` or `notes.txt` file in the ZIP
 * (docs/api.md, "Speaker notes"): UTF-8 text, one section per slide in slide order, sections
 * separated by a line holding only `---`. An empty section is a slide without notes. The number
 * of sections must be the number of slides, or the upload is refused saying both counts, since
 * notes shifted by one slide are worse than none.
 */
import { readFile } from 'node:fs/promises';
import { normalizeNotes } from './deck-file';
import { type UploadFailure, fail } from './limits';

export const NOTES_FILE_NAMES = new Set(['notes.md', 'notes.txt']);
export const MAX_NOTES_FILE_BYTES = 1024 * 1024;

/** True for `notes.md` / `notes.txt` at the ZIP's top or in its one top folder. */
export function isNotesFileName(entry: string): boolean {
  const segments = entry.split('/');
  return segments.length <= 2 && NOTES_FILE_NAMES.has(segments[segments.length - 1]!.toLowerCase());
}

export async function readNotesFile(file: string, label: string, slideCount: number): Promise<{ ok: true; notes: Array<string | undefined> } | UploadFailure> {
  const bytes = await readFile(file);
  if (bytes.length > MAX_NOTES_FILE_BYTES) return fail(413, 'The notes file is too large: at most 1 MB.', label);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail(422, 'The notes file must be UTF-8 text.', label);
  }
  const sections = splitSections(text);
  if (sections.length !== slideCount) {
    return fail(422, `The notes file has ${sections.length} section${sections.length === 1 ? '' : 's'} for ${slideCount} slide${slideCount === 1 ? '' : 's'}: write one section per slide, separated by lines of "---".`, label);
  }
  return { ok: true, notes: sections.map(normalizeNotes) };
}

/** Sections between lines that are exactly `---` (trailing spaces allowed). */
export function splitSections(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split(/^---[ \t]*$/m);
}
