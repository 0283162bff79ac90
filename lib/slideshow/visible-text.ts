/**
 * Does a text show anything? A title made only of zero-width spaces, joiners, soft hyphens, BOMs,
 * Hangul fillers, variation selectors, tag characters, the blank Braille pattern or lone
 * combining marks looks empty everywhere it is shown, so it is refused like an empty one.
 * `Default_Ignorable_Code_Point` is Unicode's own list of characters that render as nothing.
 */
const VISIBLE = /[^\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Cc}\p{Cf}\p{Z}\p{M}\u2800]/u;

export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}
