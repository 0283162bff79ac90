/**
 * The talk before this one. Slides stay served to the audience after End talk, so phones can look
 * back through what they were shown; once another deck goes live they stay served only for a while
 * (`keepMs`, PAST_SLIDES_KEEP_MINUTES) for phones still reviewing them, then never again. Only the
 * last talk is kept, and only the slides it showed: never a slide nobody was shown.
 */
import type { PastTalk, TalkRecord } from './talk-store';

/** The few deck fields needed here (a LiveDeck). */
interface TokenDeck {
  readonly id: string;
  readonly slides: ReadonlyArray<{ readonly token: string }>;
}

/** 15 minutes: long enough to finish reading a slide or two, short enough not to linger all day. */
export const DEFAULT_KEEP_PAST_MS = 15 * 60_000;

/** The live talk of `record` as a past talk (kept while idle); an idle record keeps the one it has. */
export function pastOf(record: TalkRecord, deck: TokenDeck | undefined): PastTalk | undefined {
  if (!deck || record.slide === undefined) return record.past;
  const tokens = (record.revealed ?? []).map((n) => deck.slides[n - 1]?.token).filter((t): t is string => t !== undefined);
  return { deck: deck.id, tokens };
}

/** The record of `{ live: false }`: idle, `ended` once a talk has been live, the past talk (and whether it is handed out) kept. */
export function endedRecord(record: TalkRecord, deck: TokenDeck | undefined, seq: number, upcoming: string | undefined, handout = record.handout): TalkRecord {
  const past = pastOf(record, deck);
  const ended = deck !== undefined || record.ended === true;
  return { seq, ...(upcoming ? { upcoming } : {}), ...(ended ? { ended: true } : {}), ...(past ? { past } : {}), ...(handout && past ? { handout: true } : {}) };
}

/** A new deck goes live: the previous talk (ended, or replaced mid-talk) is kept `keepMs` from now. */
export function pastOnNewDeck(record: TalkRecord, deck: TokenDeck | undefined, now: number, keepMs: number): { past?: PastTalk } {
  const past = pastOf(record, deck);
  if (!past || keepMs <= 0 || (past.until !== undefined && past.until <= now)) return {};
  return { past: past.until !== undefined ? past : { ...past, until: now + keepMs } };
}

/** May the audience still load this image of the past talk? */
export function pastServes(past: PastTalk | undefined, deckId: string, token: string, now: number): boolean {
  return past !== undefined && past.deck === deckId && (past.until === undefined || now < past.until) && past.tokens.includes(token);
}
