/**
 * Speaker notes of a `.pptx`, one entry per slide in presentation order. The order is the one in
 * `ppt/presentation.xml` (`p:sldIdLst`), each slide found through the presentation's relationships
 * and its notes through the slide's own `notesSlide` relationship (ECMA-376 Part 1, 13.3.5 and
 * 13.3.10), never by file numbering, which PowerPoint does not keep in order. Hidden slides
 * (`show="0"`) are left out, as LibreOffice's PDF export leaves them out.
 */
import path from 'node:path/posix';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { normalizeNotes } from '../deck-file';
import { type XmlElement, childrenNamed, findAll, findFirst, isElement, parseXml } from './xml';
import { readZipTexts } from './zip-read';

const NOTES_SLIDE_TYPE = /\/relationships\/notesSlide$/;
/** Placeholders on a notes page that are not the notes: the slide picture, number, header... */
const NOT_NOTES = new Set(['sldImg', 'sldNum', 'hdr', 'ftr', 'dt']);

export async function pptxNotes(file: string, maxEntries: number, maxPartBytes: number): Promise<Array<string | undefined>> {
  const wanted = (name: string): boolean => name === 'ppt/presentation.xml' || /^ppt\/(slides|notesSlides)\/|^ppt\/_rels\//.test(name);
  const { texts } = await readZipTexts(file, wanted, maxEntries, maxPartBytes);
  const part = (name: string): XmlElement | undefined => (texts.has(name) ? parseXml(texts.get(name)!) : undefined);
  const presentation = part('ppt/presentation.xml');
  if (!presentation) return [];
  const slideTargets = relationships(part('ppt/_rels/presentation.xml.rels'), 'ppt/presentation.xml');
  const notes: Array<string | undefined> = [];
  for (const id of findAll(presentation, 'p:sldId')) {
    // Parsing is synchronous: a slide's three parts at a time keeps the server's event loop free.
    await nextTurn();
    const slidePath = slideTargets.get(id.attrs['r:id'] ?? '')?.target;
    const slide = slidePath ? part(slidePath) : undefined;
    if (!slide || slide.attrs.show === '0' || slide.attrs.show === 'false') continue;
    const rels = relationships(part(relsPathOf(slidePath!)), slidePath!);
    const notesPath = [...rels.values()].find((rel) => NOTES_SLIDE_TYPE.test(rel.type))?.target;
    const notesPart = notesPath ? part(notesPath) : undefined;
    notes.push(notesPart ? notesText(notesPart) : undefined);
  }
  return notes;
}

type Relationship = { type: string; target: string };

/** Id -> relationship of a `.rels` part, targets resolved against the part that owns them. */
function relationships(rels: XmlElement | undefined, owner: string): Map<string, Relationship> {
  const map = new Map<string, Relationship>();
  for (const rel of rels ? childrenNamed(rels, 'Relationship') : []) {
    if (rel.attrs.TargetMode === 'External' || !rel.attrs.Id || !rel.attrs.Target) continue;
    const target = rel.attrs.Target.startsWith('/') ? rel.attrs.Target.slice(1) : path.join(path.dirname(owner), rel.attrs.Target);
    map.set(rel.attrs.Id, { type: rel.attrs.Type ?? '', target });
  }
  return map;
}

function relsPathOf(part: string): string {
  return path.join(path.dirname(part), '_rels', `${path.basename(part)}.rels`);
}

/** The text of the notes page's text shapes, one line per paragraph, `a:br` as a line break. */
function notesText(notes: XmlElement): string | undefined {
  const lines: string[] = [];
  for (const shape of findAll(notes, 'p:sp')) {
    const placeholder = findFirst(shape, 'p:ph');
    if (placeholder && NOT_NOTES.has(placeholder.attrs.type ?? '')) continue;
    for (const paragraph of findAll(shape, 'a:p')) lines.push(paragraphText(paragraph));
  }
  return normalizeNotes(lines.join('\n'));
}

function paragraphText(paragraph: XmlElement): string {
  let text = '';
  for (const child of paragraph.children) {
    if (!isElement(child)) continue;
    if (child.name === 'a:br') text += '\n';
    else if (child.name === 'a:r' || child.name === 'a:fld') text += findAll(child, 'a:t').map(plainText).join('');
  }
  return text;
}

function plainText(element: XmlElement): string {
  return element.children.map((child) => (isElement(child) ? plainText(child) : child.text)).join('');
}
