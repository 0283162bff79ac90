/** The `next` destination after signing in: our own pages only, whatever a browser would make of the string. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_NEXT, safeNext } from '../../../lib/slideshow/safe-next';

const ORIGIN = 'https://slides.example.org';

/** The reported payloads (decoded, as URLSearchParams hands them over) and their relatives. */
const HOSTILE = [
  '/\t/evil.example/x', '/\n/evil.example/x', '/\r/evil.example/x', '\t//evil.example', '/\u0000/evil.example',
  '//evil.example/x', '/\\evil.example/x', '\\\\evil.example', '/\\/evil.example', 'https://evil.example/x',
  'javascript:alert(1)', 'evil.example', ' /presenter', '/\u007f/evil.example', '/\u0085/evil.example', '', '/'.padEnd(3_000, 'a'),
];

test('every reported open-redirect payload falls back to the presenter view', () => {
  for (const raw of HOSTILE) {
    const result = safeNext(raw, ORIGIN);
    assert.equal(result, DEFAULT_NEXT, JSON.stringify(raw));
    assert.equal(new URL(result, ORIGIN).origin, ORIGIN);
  }
  assert.equal(safeNext(null), DEFAULT_NEXT);
  assert.equal(safeNext(undefined), DEFAULT_NEXT);
});

test('our own pages stay as given, with their query and fragment', () => {
  assert.equal(safeNext('/decks', ORIGIN), '/decks');
  assert.equal(safeNext('/presenter?view=notes#top', ORIGIN), '/presenter?view=notes#top');
  assert.equal(safeNext('/decks/../presenter', ORIGIN), '/presenter');
});
