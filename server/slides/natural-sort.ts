/**
 * Natural ordering of file names, the order a person expects from a file manager: `Slide2` before
 * `Slide10`, case-insensitive, `Slide 1.png` next to `slide01.png`.
 *
 * A name is cut into words and digit runs; spaces, `_`, `-` and `.` only separate them, so
 * `Slide 1`, `slide_1` and `slide1` compare alike. Digit runs compare by value without ever
 * being parsed (leading zeros stripped, then length, then digits), so a 40-digit run neither
 * overflows nor loses precision. The extension is compared last (`a.png` before `a (2).png`),
 * and exact ties fall back to code-point order so the result never depends on input order.
 */

const collator = new Intl.Collator('en', { sensitivity: 'base' });
const TOKEN = /\d+|[^\d\s_.\-]+/gu;

export function compareNatural(a: string, b: string): number {
  const [stemA, extA] = splitExtension(a);
  const [stemB, extB] = splitExtension(b);
  return (
    compareTokens(tokens(stemA), tokens(stemB)) ||
    compareTokens(tokens(extA), tokens(extB)) ||
    compareLeadingZeros(a, b) ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
}

/** A sorted copy; items with equal names keep their relative order. */
export function sortNatural<T>(items: readonly T[], nameOf: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, name: nameOf(item) }))
    .sort((x, y) => compareNatural(x.name, y.name) || x.index - y.index)
    .map((entry) => entry.item);
}

function splitExtension(name: string): [string, string] {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return [name, ''];
  const cut = name.length - base.length + dot;
  return [name.slice(0, cut), name.slice(cut + 1)];
}

function tokens(text: string): string[] {
  return text.normalize('NFC').match(TOKEN) ?? [];
}

function compareTokens(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const order = compareToken(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function compareToken(a: string, b: string): number {
  const numA = isDigits(a);
  const numB = isDigits(b);
  if (numA && numB) return compareDigits(a, b);
  if (numA !== numB) return numA ? -1 : 1; // numbers before words, as file managers do
  return collator.compare(a, b);
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Same value, different padding: `1` before `01`, so the order is total and repeatable. */
function compareLeadingZeros(a: string, b: string): number {
  return (a.match(/\d+/g) ?? []).join('').length - (b.match(/\d+/g) ?? []).join('').length;
}

function isDigits(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57;
}
