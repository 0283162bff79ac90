/**
 * The slideshow's wire types: what travels on `/slideshow/change` and through the HTTP API.
 * A page that only sets `<img src={data.src}>` follows the talk (as the 2007 original did);
 * richer pages use `images`, `placeholder`, `alt` and `text`.
 */

/** One rendered size of a slide. URLs are unguessable and answer 404 until the slide is shown. */
export interface SlideImage {
  width: number;
  height: number;
  webp: string;
  jpeg: string;
}

/** A slide as the audience may know it (only once it has been shown). */
export interface ShownSlide {
  /** 1-based position in the deck. */
  slide: number;
  /** A URL any browser can load directly: the JPEG closest to 1280 px wide. */
  src: string;
  /** Every size, ascending by width. */
  images: SlideImage[];
  width: number;
  height: number;
  /** A tiny blurred image as a data URL, painted instantly while the real one loads. */
  placeholder: string;
  /**
   * Alt text, e.g. "Slide 3 of 40: Roadmap": the presenter's own words for the slide, else its
   * first line of text, else only "Slide 3 of 40" (never a file name).
   */
  alt: string;
  /** Text of the slide where the source (a PDF) provides one. */
  text?: string;
}

/**
 * One width of a slide's sealed copies (`/sealed/<deck>/<token>.bin`): `nonce (12 bytes) ||
 * AES-256-GCM ciphertext || tag (16 bytes)` of the WebP and of the JPEG of that width. Public and
 * cacheable for good: without the slide's key they are noise.
 */
export interface SealedImage {
  width: number;
  webp: string;
  jpeg: string;
}

/** The slide after the shown one, to prefetch sealed: where its copies are, never its key. */
export interface SealedNext {
  /** Its 1-based position in the deck (the shown slide's plus one). */
  slide: number;
  /** Ascending by width, as `images`. */
  sealed: SealedImage[];
}

/** A talk is live: the current slide. */
export interface LiveState extends ShownSlide {
  live: true;
  /** Increases with every change; a client ignores anything older than what it has. */
  seq: number;
  /** Server time of the change (ms since epoch). */
  at: number;
  deck: string;
  title: string;
  count: number;
  /** The presenter blanked the screen (B key). */
  blackout: boolean;
  /** Server time the talk went live (ms since epoch): the presenter view's elapsed-time clock. */
  startedAt?: number;
  /** Pacing (presenter clock): the talk's target duration, if the presenter set one (ms). */
  targetMs?: number;
  /** Pacing: the clock is paused since this server time (ms since epoch). */
  pausedAt?: number;
  /** Pacing: time spent paused before `pausedAt` (ms); elapsed = (pausedAt ?? now) - startedAt - pausedMs. */
  pausedMs?: number;
  /** The presenter put the join QR code up (the room display shows it over the slide). */
  qr?: boolean;
  /** The presenter offers a handout: `GET /api/handout.pdf`, the slides shown so far. */
  handout?: true;
  /**
   * Only in the message a client receives right after it subscribes: every slide shown so far in
   * this talk, so it can swipe back. Broadcasts omit it; clients accumulate. Also in a change that
   * superseded changes a slow client was never sent: the slides those showed (foldChanges).
   */
  history?: ShownSlide[];
  /**
   * With `history`: it lists every slide shown from this slide number on, but not those shown
   * below it (a replay carries only the most recent few, to stay small). Ask for those with
   * `GET /api/live/history?deck=<deck>&before=<historyFrom>` (a `HistoryPage`) when the phone
   * browses back to them. Absent: the history is complete.
   */
  historyFrom?: number;
  /**
   * Sealed prefetch: the shown slide's AES-256-GCM key (base64url), which opens the sealed copies
   * a phone fetched while the slide before it was shown. Reveals nothing new: the slide is shown.
   * Absent for decks made before sealing.
   */
  key?: string;
  /** Sealed prefetch: the following slide's sealed copies (no key: it is not shown). Absent on the last slide. */
  next?: SealedNext;
}

/** `GET /api/live/history`: shown slides of the live talk below `before`, the nearest first kept. */
export interface HistoryPage {
  deck: string;
  /** Ascending by slide number: the shown slides just below `before`, at most a page of them. */
  slides: ShownSlide[];
  /** As in LiveState: more shown slides below this one remain to be asked for; absent when none. */
  historyFrom?: number;
}

/** No talk is live: the waiting screen. */
export interface IdleState {
  live: false;
  seq: number;
  at: number;
  /** Title of the upcoming talk, if the presenter chose one. */
  title?: string;
  /**
   * A talk has ended (End talk) and no other has started: phones say so, and keep the slides they
   * were shown to look back through (their images stay served until the next talk, and a while after).
   */
  ended?: true;
  /** With `ended`: the presenter offers a handout of the slides the talk showed (`GET /api/handout.pdf`). */
  handout?: true;
}

export type SlideshowState = LiveState | IdleState;

/**
 * What a presenter publishes on `/slideshow/change` (or POSTs to /api/live). The server validates
 * it, fills in the rest and broadcasts a `SlideshowState`.
 * - `{ deck, slide }` goes live with a deck (or moves within it); `slide` is 1-based.
 * - `{ slide }` moves within the live deck; `{ step: 1 | -1 }` next / previous.
 * - `{ blackout: true | false }` blanks or unblanks the screen.
 * - `{ live: false }` ends the talk; `{ live: false, title }` (also before any talk) shows that
 *   title on the phones' waiting screen.
 * - `{ qr: true | false }` puts the join QR code up on the room display, or takes it down.
 * - `{ pause: true | false }` pauses or resumes the presenter's clock; `{ targetMinutes }` sets
 *   the talk's target duration (1-600; 0 removes it).
 * - `{ handout: true | false }` offers the audience a PDF of the slides shown, or stops; while live
 *   or after the end (also with `live: false`). A new deck going live starts without one.
 */
export interface PresenterCommand {
  deck?: string;
  slide?: number;
  step?: 1 | -1;
  blackout?: boolean;
  live?: false;
  /** With `live: false`: the title of the talk about to start (1-200 characters). */
  title?: string;
  qr?: boolean;
  pause?: boolean;
  targetMinutes?: number;
  /** Offer the audience a handout (a PDF of exactly the slides shown), or stop offering it. */
  handout?: boolean;
}

export interface AudienceCount {
  count: number;
}

/** A deck as the library lists it (presenter only). */
export interface DeckSummary {
  id: string;
  title: string;
  count: number;
  createdAt: string;
  /** Thumbnail URL of the first slide. */
  thumbnail: string;
  /** A `srcset` of the first slide: the thumbnail and larger variants, for 2-3x screens. */
  thumbnailSrcSet?: string;
  source: 'images' | 'zip' | 'pdf' | 'office';
}

/** A deck with every slide (presenter only). */
export interface DeckDetail extends DeckSummary {
  /**
   * `notes`: the speaker notes, presenter-only: never in anything the audience can see.
   * `altText`: the alt text the presenter wrote, if any (`alt` is what the audience gets, with it).
   */
  slides: Array<ShownSlide & { thumbnail: string; name: string; notes?: string; altText?: string }>;
}

/**
 * The stable code of every error the HTTP API answers (docs/api.md, "Error codes", says what each
 * means and where it is answered). Clients decide on the code, never on the wording of `error`,
 * which is written for people and may change.
 */
export const API_ERROR_CODES = [
  // Any route
  'not_found',
  'method_not_allowed',
  'unsupported_media_type',
  'body_too_large',
  'invalid_json',
  'internal',
  // Presenter access
  'sign_in_required',
  'wrong_key',
  'too_many_wrong_keys',
  'cross_origin',
  // The live talk
  'command_invalid',
  'no_such_deck',
  'slide_out_of_range',
  'not_live',
  'nothing_to_hand_out',
  'talk_contended',
  'history_query_invalid',
  'deck_not_live',
  'no_handout',
  'handout_too_large',
  // Decks
  'deck_live',
  'title_invalid',
  'no_such_slide',
  'notes_invalid',
  'notes_too_long',
  'alt_invalid',
  'alt_too_long',
  'disk_full',
  'write_failed',
  // Uploads
  'upload_invalid',
  'upload_cancelled',
  'upload_too_large',
  'unsupported_file',
  'office_unavailable',
  'unreadable_file',
  'office_busy',
  'upload_failed',
  // PDF rendering (uploaded PDFs, and presentations once converted)
  'pdf_encrypted',
  'pdf_invalid',
  'page_too_large',
  'render_memory_exceeded',
  'render_timeout',
  'render_failed',
  'render_busy',
  'render_unavailable',
] as const;

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Error body of every failed API call. */
export interface ApiError {
  /** For people: what went wrong and what to do. Match `code`, not this. */
  error: string;
  code: ApiErrorCode;
  /** The uploaded file the error is about. */
  file?: string;
}

/** Lines of an upload's progress stream (`Accept: application/x-ndjson`). */
export type UploadProgress =
  | { type: 'progress'; stage: 'receiving' | 'extracting' | 'converting' | 'rendering'; done: number; total: number; file?: string }
  | { type: 'done'; deck: DeckSummary }
  | { type: 'error'; status: number; code: ApiErrorCode; error: string; file?: string };
