/**
 * Reading speaker notes from Office packages (server/slides/office) and from a ZIP's notes file,
 * on small packages built here: the cases LibreOffice does not produce on its own, such as a
 * .pptx whose slide files are numbered out of presentation order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipOfficeKind } from '../../../server/slides/office/formats';
import { odpNotes } from '../../../server/slides/office/odp-notes';
import { pptxNotes } from '../../../server/slides/office/pptx-notes';
import { sniffBytes } from '../../../server/slides/sniff';
import { isNotesFileName, splitSections } from '../../../server/slides/zip-notes';
import { makeZip } from '../../../support/zip-writer';

const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const rels = (items: Array<[string, string, string]>) =>
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`).join('')}</Relationships>`;
const notesSlide = (body: string) =>
  `<p:notes ${P}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr></p:sp><p:sp><p:nvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:txBody>${body}</p:txBody></p:sp><p:sp><p:nvSpPr><p:nvPr><p:ph type="sldNum"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:fld type="slidenum"><a:t>7</a:t></a:fld></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>`;

async function withFile<T>(data: Buffer, run: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cometdeck-notes-'));
  try {
    await writeFile(path.join(dir, 'file'), data);
    return await run(path.join(dir, 'file'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** slide2.xml is shown first: order comes from presentation.xml, never from file names. */
function reorderedPptx(): Buffer {
  const x = (name: string, text: string) => ({ name, data: Buffer.from(text), deflate: true });
  return makeZip([
    x('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    x('ppt/presentation.xml', `<p:presentation ${P}><p:sldIdLst><p:sldId id="256" r:id="rIdB"/><p:sldId id="257" r:id="rIdA"/><p:sldId id="258" r:id="rIdC"/></p:sldIdLst></p:presentation>`),
    x('ppt/_rels/presentation.xml.rels', rels([['rIdA', 'slide', 'slides/slide1.xml'], ['rIdB', 'slide', 'slides/slide2.xml'], ['rIdC', 'slide', '/ppt/slides/slide3.xml']])),
    x('ppt/slides/slide1.xml', `<p:sld ${P}/>`),
    x('ppt/slides/slide2.xml', `<p:sld ${P}/>`),
    x('ppt/slides/slide3.xml', `<p:sld ${P} show="0"/>`),
    x('ppt/slides/_rels/slide1.xml.rels', rels([['rId1', 'notesSlide', '../notesSlides/notesSlide9.xml']])),
    x('ppt/slides/_rels/slide2.xml.rels', rels([['rId1', 'notesSlide', '../notesSlides/notesSlide1.xml']])),
    x('ppt/notesSlides/notesSlide1.xml', notesSlide('<a:p><a:r><a:t>Shown first &amp; </a:t></a:r><a:r><a:t>foremost</a:t></a:r><a:br/><a:r><a:t>new line</a:t></a:r></a:p><a:p><a:r><a:t>para 2</a:t></a:r></a:p>')),
    x('ppt/notesSlides/notesSlide9.xml', notesSlide('<a:p><a:r><a:t>Shown second</a:t></a:r></a:p>')),
  ]);
}

describe('speaker notes from a .pptx', () => {
  test('follow the presentation order through relationships, skip hidden slides and placeholders', async () => {
    const notes = await withFile(reorderedPptx(), (file) => pptxNotes(file, 1000, 1 << 20));
    assert.deepEqual(notes, ['Shown first & foremost\nnew line\npara 2', 'Shown second']);
  });

  test('a .pptx is told from a ZIP of images by its parts', async () => {
    assert.equal(await withFile(reorderedPptx(), zipOfficeKind), 'pptx');
    assert.equal(await withFile(makeZip([{ name: 'docProps/core.xml', data: Buffer.from('<x/>') }, { name: 'a.png', data: Buffer.alloc(8) }]), zipOfficeKind), undefined);
  });

  test('malformed XML is an error, not half the notes', async () => {
    const broken = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'ppt/presentation.xml', data: Buffer.from(`<p:presentation ${P}><p:sldIdLst>`) },
    ]);
    await assert.rejects(withFile(broken, (file) => pptxNotes(file, 1000, 1 << 20)));
  });
});

describe('speaker notes from an .odp', () => {
  test('one entry per visible page, ODF spaces, tabs and line breaks kept', async () => {
    const content = `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"><office:automatic-styles><style:style style:name="dp9"><style:drawing-page-properties presentation:visibility="hidden"/></style:style></office:automatic-styles><office:body><office:presentation>
      <draw:page><presentation:notes><draw:page-thumbnail/><draw:frame><draw:text-box><text:p>a<text:s text:c="3"/>b<text:tab/>c<text:line-break/>d</text:p><text:list><text:list-item><text:p>item</text:p></text:list-item></text:list></draw:text-box></draw:frame></presentation:notes></draw:page>
      <draw:page draw:style-name="dp9"><presentation:notes><draw:frame><draw:text-box><text:p>hidden</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>
      <draw:page/></office:presentation></office:body></office:document-content>`;
    const odp = makeZip([{ name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.presentation') }, { name: 'content.xml', data: Buffer.from(content), deflate: true }]);
    assert.equal(await withFile(odp, zipOfficeKind), 'odp');
    assert.deepEqual(await withFile(odp, (file) => odpNotes(file, 1000, 1 << 20)), ['a   b\tc\nd\nitem', undefined]);
  });
});

describe('formats and the notes file of a ZIP', () => {
  test('an OLE compound file (.ppt) is sniffed as such', () => {
    assert.equal(sniffBytes(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), 'ole');
  });

  test('notes.md / notes.txt at the top or in the one top folder', () => {
    assert.ok(isNotesFileName('notes.md') && isNotesFileName('Deck/NOTES.TXT'));
    assert.ok(!isNotesFileName('a/b/notes.md') && !isNotesFileName('notes.markdown'));
  });

  test('sections are split on lines of exactly ---', () => {
    assert.deepEqual(splitSections('one\n---\ntwo --- still two\n---  \r\nthree'), ['one\n', '\ntwo --- still two\n', '\nthree']);
  });
});
