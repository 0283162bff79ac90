/**
 * Decks on disk: the store, uploads (receive, then build) and the wire-type views of a deck.
 * Knows nothing of Bayeux, the slideshow or Next. A route handler for `POST /api/decks` is:
 *
 *   const received = await receiveUpload(req, limits, onProgress, store.dir);
 *   if (!received.ok) return answer(received.status, { error: received.error, file: received.file });
 *   const built = await buildDeck(store, received, limits, onProgress);
 *   if (!built.ok) return answer(built.status, { error: built.error, file: built.file });
 *   return answer(201, deckSummary(built.deck));
 */
export { buildDeck } from './build';
export { type DeckSource, type StoredDeck, type StoredSlide, MAX_TITLE_CHARS, normalizeTitle } from './deck-file';
export { buildHandout, HANDOUT_IMAGE_WIDTH, type HandoutResult, MAX_HANDOUT_BYTES } from './handout';
export { type ImageVariant, isDeckId, isToken, parseImageFileName } from './ids';
export { DEFAULT_UPLOAD_LIMITS, type FailureStatus, type UploadFailure, type UploadLimits, uploadLimits } from './limits';
export { compareNatural, sortNatural } from './natural-sort';
export { type SealedVariant, type SlideSeal, isSealKey, parseSealedFileName, sealedFile, sealedFileName, unseal } from './seal';
export { DeckStore, type DeckStoreOptions, type RenameResult } from './store';
export type { ProgressEvent, ProgressListener, ReceivedFile, ReceivedUpload } from './types';
export { DEFAULT_OFFICE_OPTIONS, LIBREOFFICE_PACKAGE, OfficeConverter, type OfficeOptions } from './office/converter';
export { discardUpload, receiveUpload } from './upload';
export { DEFAULT_URL_PREFIX, type SlideUrls, deckDetail, deckSummary, shownSlide, urlsFor } from './urls';
