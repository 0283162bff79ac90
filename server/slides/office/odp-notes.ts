/**
 * Speaker notes of an OpenDocument presentation: each `draw:page` of `content.xml`, in order, and
 * the text frames of its `presentation:notes` (ODF 1.3 Part 3, 10.2.4 and 16.x text). Pages whose
 * style hides them (`presentation:visibility="hidden"`) are left out, as LibreOffice's PDF export
 * leaves them out. Text follows ODF's whitespace rules: `text:s` spaces, `text:tab`, `text:line-break`.
 */
import { normalizeNotes } from '../deck-file';
import { type XmlElement, childrenNamed, findAll, findFirst, isElement, parseXml } from './xml';
import { readZipTexts } from './zip-read';

export async function odpNotes(file: string, maxEntries: number, maxPartBytes: number): Promise<Array<string | undefined>> {
  const { texts } = await readZipTexts(file, (name) => name === 'content.xml', maxEntries, maxPartBytes);
  const content = texts.get('content.xml');
  if (content === undefined) return [];
  const root = parseXml(content);
  const hidden = hiddenPageStyles(root);
  const presentation = findFirst(root, 'office:presentation');
  if (!presentation) return [];
  return childrenNamed(presentation, 'draw:page')
    .filter((page) => !hidden.has(page.attrs['draw:style-name'] ?? ''))
    .map((page) => {
      const notes = childrenNamed(page, 'presentation:notes')[0];
      return notes ? notesText(notes) : undefined;
    });
}

function hiddenPageStyles(root: XmlElement): Set<string> {
  const names = new Set<string>();
  for (const style of findAll(root, 'style:style')) {
    const properties = childrenNamed(style, 'style:drawing-page-properties')[0];
    if (properties?.attrs['presentation:visibility'] === 'hidden' && style.attrs['style:name']) names.add(style.attrs['style:name']);
  }
  return names;
}

/**
 * Every paragraph on the notes page, one line each: a notes placeholder keeps them in a
 * `draw:frame`, a notes page converted from PowerPoint 97 in `draw:custom-shape`s; the slide
 * thumbnail (`draw:page-thumbnail`) has none.
 */
function notesText(notes: XmlElement): string | undefined {
  return normalizeNotes(paragraphs(notes).map(inlineText).join('\n'));
}

/** `text:p` and `text:h` at any depth (inside lists too), in document order. */
function paragraphs(element: XmlElement, into: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (child.name === 'text:p' || child.name === 'text:h') into.push(child);
    else paragraphs(child, into);
  }
  return into;
}

function inlineText(element: XmlElement): string {
  let text = '';
  for (const child of element.children) {
    if (!isElement(child)) text += child.text.replace(/\s+/g, ' ');
    else if (child.name === 'text:s') text += ' '.repeat(Math.min(Number(child.attrs['text:c'] ?? 1) || 1, 100));
    else if (child.name === 'text:tab') text += '\t';
    else if (child.name === 'text:line-break') text += '\n';
    else if (child.name !== 'office:annotation') text += inlineText(child);
  }
  return text;
}
