/**
 * Decks on disk: `<dir>/<deckId>/deck.json` plus the image files of every slide.
 *
 * A deck only ever appears whole: it is built in `<dir>/.tmp-<random>/` and renamed into place in
 * one step (same file system, so the rename is atomic); deleting renames it away first. Readers
 * therefore never see half a deck, and a crash leaves only `.tmp-*` folders, removed on `open()`.
 *
 * Every id and file name is checked against the strict patterns in ids.ts before it touches a
 * path. Reads go through a small cache keyed by deck.json's inode, mtime and size (every write
 * makes a new inode), so a lookup of a known deck costs one `stat` and no read (an image request
 * makes two: this one, and the image route's own of the image file for its size and ETag), and a
 * deck changed by another process is still seen.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_ALT_CHARS, MAX_NOTES_CHARS, type StoredDeck, type StoredSlide, checkDeckFile, normalizeLine, normalizeNotes, normalizeTitle, parseDeckFile } from './deck-file';
import { isDeckId, isToken, parseImageFileName } from './ids';
import { logger } from '../log';

const slidesLog = logger('slides');

export const TEMP_PREFIX = '.tmp-';
const DECK_FILE = 'deck.json';

export interface DeckStoreOptions {
  /** Where problems with folders on disk are reported (broken deck, failed clean-up). */
  log?: (message: string) => void;
  /**
   * Remove `.tmp-*` leftovers on open (default true). Only the process that runs uploads may do
   * this: a reader such as a Next page opening the same folder must pass false, or it would
   * delete uploads in progress.
   */
  removeLeftovers?: boolean;
}

/** Why rewriting deck.json failed, as a client is told it (docs/api.md). */
export type WriteFailure =
  | { ok: false; status: 404; code: 'no_such_deck'; error: string }
  | { ok: false; status: 507; code: 'disk_full'; error: string }
  | { ok: false; status: 500; code: 'write_failed'; error: string };

export type RenameResult = { ok: true; deck: StoredDeck } | { ok: false; status: 400; code: 'title_invalid'; error: string } | WriteFailure;

/** Stable codes of a refused slide edit (docs/api.md). */
export type NotesErrorCode = 'notes_invalid' | 'notes_too_long' | 'alt_invalid' | 'alt_too_long' | 'no_such_deck' | 'no_such_slide';
export type NotesResult = { ok: true; deck: StoredDeck } | { ok: false; status: 400 | 404 | 413; code: NotesErrorCode; error: string } | WriteFailure;
type EditFailure = Extract<NotesResult, { ok: false }>;

/** What one slide edit may change; a field left out is kept, `""` removes it. */
export interface SlideEdit {
  notes?: unknown;
  alt?: unknown;
}

interface CacheEntry {
  ino: number;
  mtimeMs: number;
  size: number;
  deck: StoredDeck;
}

export class DeckStore {
  private readonly cache = new Map<string, CacheEntry>();
  /** Broken decks already logged, with their problem. */
  private readonly reported = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly log: (message: string) => void;

  private constructor(readonly dir: string, options: DeckStoreOptions) {
    this.log = options.log ?? ((message) => slidesLog.warn(message));
  }

  /**
   * Opens (and creates) the data folder and removes `.tmp-*` leftovers of interrupted uploads
   * (see `removeLeftovers`: one uploading process per folder).
   */
  static async open(dir: string, options: DeckStoreOptions = {}): Promise<DeckStore> {
    const store = new DeckStore(path.resolve(dir), options);
    await mkdir(store.dir, { recursive: true });
    if (options.removeLeftovers === false) return store;
    for (const name of await readdir(store.dir)) {
      if (name.startsWith(TEMP_PREFIX)) await store.removeQuietly(path.join(store.dir, name));
    }
    return store;
  }

  /** Every readable deck, newest first. Broken folders are logged and skipped. */
  async list(): Promise<StoredDeck[]> {
    const decks: StoredDeck[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
      if (!isDeckId(entry.name)) {
        this.log(`ignoring folder "${entry.name}": not a deck id`);
        continue;
      }
      const deck = await this.get(entry.name);
      if (deck) decks.push(deck);
    }
    return decks.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1));
  }

  /** The deck, or undefined if the id is invalid, unknown or its deck.json is broken (logged). */
  async get(id: string): Promise<StoredDeck | undefined> {
    if (!isDeckId(id)) return undefined;
    const file = path.join(this.dir, id, DECK_FILE);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      this.cache.delete(id);
      // A folder without its deck.json (deleted by hand, a broken copy) is a deck gone missing: say so.
      if (await stat(path.dirname(file)).then((dir) => dir.isDirectory(), () => false)) this.#broken(id, `${DECK_FILE} is missing`);
      return undefined;
    }
    const cached = this.cache.get(id);
    if (cached && cached.ino === info.ino && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.deck;
    const check = checkDeckFile(await readFile(file, 'utf8').catch(() => ''), id);
    if (!check.ok) {
      this.#broken(id, `${DECK_FILE} is damaged (${check.problem})`);
      this.cache.delete(id);
      return undefined;
    }
    this.reported.delete(id);
    this.cache.set(id, { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, deck: check.deck });
    return check.deck;
  }

  /** Sets the title (trimmed, 1-200 characters), rewriting deck.json atomically. */
  async rename(id: string, title: string): Promise<RenameResult> {
    const clean = normalizeTitle(title);
    if (clean === undefined) return { ok: false, status: 400, code: 'title_invalid', error: 'The title must be 1 to 200 characters, at least one of them visible.' };
    return this.locked(id, async (): Promise<RenameResult> => {
      const deck = await this.get(id);
      if (!deck) return { ok: false, status: 404, code: 'no_such_deck', error: 'No such deck.' };
      const renamed: StoredDeck = { ...deck, title: clean };
      try {
        await writeDeckFile(path.join(this.dir, id), renamed);
      } catch (error) {
        return this.#writeFailed(id, error);
      }
      return { ok: true, deck: renamed };
    });
  }

  /** Sets the speaker notes of slide `number` (1-based); see `editSlide`. */
  setNotes(id: string, number: number, notes: unknown): Promise<NotesResult> {
    return this.editSlide(id, number, { notes: notes ?? null });
  }

  /**
   * Sets the speaker notes and/or the alt text of slide `number` (1-based), rewriting deck.json
   * atomically; an empty string removes them. Refused (nothing written) when longer than the cap,
   * rather than cut: the presenter typed them and would lose the end silently.
   */
  async editSlide(id: string, number: number, edit: SlideEdit): Promise<NotesResult> {
    const checked = checkEdit(edit);
    if (!checked.ok) return checked;
    return this.locked(id, async (): Promise<NotesResult> => {
      const deck = await this.get(id);
      if (!deck) return { ok: false, status: 404, code: 'no_such_deck', error: 'No such deck.' };
      if (!Number.isSafeInteger(number) || number < 1 || number > deck.slides.length) {
        return { ok: false, status: 404, code: 'no_such_slide', error: `No slide ${number}: the deck has ${deck.slides.length}.` };
      }
      const slides = deck.slides.map((slide, index) => (index === number - 1 ? withEdit(slide, checked.fields) : slide));
      const changed: StoredDeck = { ...deck, slides };
      try {
        await writeDeckFile(path.join(this.dir, id), changed);
      } catch (error) {
        return this.#writeFailed(id, error);
      }
      return { ok: true, deck: changed };
    });
  }

  /** Removes the deck; false if there was none. */
  async delete(id: string): Promise<boolean> {
    if (!isDeckId(id)) return false;
    return this.locked(id, async () => {
      // Rename first: the deck vanishes at once, even if removing its files takes a while.
      const doomed = path.join(this.dir, `${TEMP_PREFIX}deleted-${randomSuffix()}`);
      try {
        await rename(path.join(this.dir, id), doomed);
      } catch {
        return false;
      }
      this.cache.delete(id);
      await this.removeQuietly(doomed);
      return true;
    });
  }

  /** The slide with this token in this deck (index is 0-based). */
  async findSlide(deckId: string, token: string): Promise<{ deck: StoredDeck; index: number; slide: StoredSlide } | undefined> {
    if (!isToken(token)) return undefined;
    const deck = await this.get(deckId);
    const index = deck?.slides.findIndex((slide) => slide.token === token) ?? -1;
    return deck && index >= 0 ? { deck, index, slide: deck.slides[index]! } : undefined;
  }

  /**
   * Absolute path of one of the deck's image files, or undefined unless `fileName` is exactly
   * the name of a file this deck made (pattern and membership both checked: no traversal).
   */
  async imageFile(deckId: string, fileName: string): Promise<string | undefined> {
    const variant = parseImageFileName(fileName);
    if (!variant) return undefined;
    const found = await this.findSlide(deckId, variant.token);
    if (!found) return undefined;
    if (variant.kind !== 'thumb' && !found.slide.widths.includes(variant.width)) return undefined;
    return path.join(this.dir, deckId, fileName);
  }

  /** A fresh `.tmp-*` folder inside the data folder, for an upload or a deck being built. */
  async makeTempDir(label = 'build'): Promise<string> {
    const dir = path.join(this.dir, `${TEMP_PREFIX}${label}-${randomSuffix()}`);
    await mkdir(dir);
    return dir;
  }

  /** Writes deck.json into a complete build folder, then moves it into place in one rename. */
  async commit(buildDir: string, deck: StoredDeck): Promise<void> {
    if (!isDeckId(deck.id) || path.dirname(buildDir) !== this.dir) throw new Error('commit: not a build folder of this store');
    await writeDeckFile(buildDir, deck);
    await rename(buildDir, path.join(this.dir, deck.id));
  }

  /**
   * deck.json could not be rewritten: the deck was deleted meanwhile (404), the disk is full (507),
   * or the folder cannot be written (500, logged). The old deck.json is untouched in every case.
   */
  #writeFailed(id: string, error: unknown): WriteFailure {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, status: 404, code: 'no_such_deck', error: 'No such deck.' };
    if (code === 'ENOSPC' || code === 'EDQUOT') return { ok: false, status: 507, code: 'disk_full', error: 'The server\'s disk is full: nothing was changed.' };
    this.log(`could not write ${path.join(this.dir, id, DECK_FILE)}: ${(error as Error).message}`);
    return { ok: false, status: 500, code: 'write_failed', error: 'The deck could not be saved: nothing was changed.' };
  }

  /** Logs a broken deck once per problem (every image request asks for the deck), naming its folder. */
  #broken(id: string, problem: string): void {
    if (this.reported.get(id) === problem) return;
    this.reported.set(id, problem);
    this.log(`ignoring deck folder ${path.join(this.dir, id)}: ${problem}; the deck is not listed or shown until it is repaired or removed`);
  }

  /** Removes a folder, logging rather than failing: clean-up must never hide the real outcome. */
  async removeQuietly(dir: string): Promise<void> {
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch (error) {
      this.log(`could not remove ${path.basename(dir)}: ${(error as Error).message}`);
    }
  }

  /** Runs `task` after every earlier task on the same deck, so a rename never races a delete. */
  private locked<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }
}

/** Temp file + rename: a reader sees the old deck.json or the new one, never a torn write. */
async function writeDeckFile(deckDir: string, deck: StoredDeck): Promise<void> {
  const temp = path.join(deckDir, `${TEMP_PREFIX}${DECK_FILE}-${randomSuffix()}`);
  try {
    await writeFile(temp, JSON.stringify(deck, null, 1), { flag: 'wx' });
    await rename(temp, path.join(deckDir, DECK_FILE));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The fields to set, normalized (`undefined`: remove), or the reason the edit is refused. */
type CheckedFields = { notes?: string | undefined; alt?: string | undefined };

function checkEdit(edit: SlideEdit): { ok: true; fields: CheckedFields } | EditFailure {
  const { notes, alt } = edit;
  if (notes === undefined && alt === undefined) return { ok: false, status: 400, code: 'notes_invalid', error: 'give a "notes" or an "alt" string ("" removes it)' };
  const fields: CheckedFields = {};
  if (notes !== undefined) {
    if (typeof notes !== 'string') return { ok: false, status: 400, code: 'notes_invalid', error: 'give a "notes" string ("" removes them)' };
    if (notes.length > MAX_NOTES_CHARS) return { ok: false, status: 413, code: 'notes_too_long', error: `notes may be at most ${MAX_NOTES_CHARS} characters` };
    fields.notes = normalizeNotes(notes);
  }
  if (alt !== undefined) {
    if (typeof alt !== 'string') return { ok: false, status: 400, code: 'alt_invalid', error: 'give an "alt" string ("" goes back to the default)' };
    const clean = normalizeLine(alt);
    if (clean !== undefined && [...clean].length > MAX_ALT_CHARS) return { ok: false, status: 413, code: 'alt_too_long', error: `alt text may be at most ${MAX_ALT_CHARS} characters` };
    fields.alt = clean;
  }
  return { ok: true, fields };
}

function withEdit(slide: StoredSlide, fields: CheckedFields): StoredSlide {
  let next: StoredSlide = slide;
  for (const key of ['notes', 'alt'] as const) {
    if (!(key in fields)) continue;
    const { [key]: _old, ...rest } = next;
    const value = fields[key];
    next = value === undefined ? rest : { ...rest, [key]: value };
  }
  return next;
}

function randomSuffix(): string {
  return randomBytes(8).toString('hex');
}
