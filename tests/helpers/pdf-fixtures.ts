/**
 * Tiny hand-written PDFs for upload tests, built at run time so no binary fixture is committed.
 * Each page shows one line of Helvetica text (a standard font, so rendering needs pdfjs's
 * `standardFontDataUrl`). The xref table is computed from real byte offsets, as PDF 1.7 §7.5.4
 * requires, so a strict reader accepts the file without reconstructing it.
 */
import { deflateSync } from 'node:zlib';

/** A valid PDF with one page per entry of `texts` (ASCII text only; parentheses are escaped). */
export function makePdf(texts: string[], opts: { width?: number; height?: number; encrypt?: boolean } = {}): Buffer {
  const width = opts.width ?? 960;
  const height = opts.height ?? 540;
  const pageIds = texts.map((_, i) => 4 + i * 2);
  const objects: string[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${texts.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  texts.forEach((text, i) => {
    const content = `BT /F1 48 Tf 60 ${Math.round(height / 2)} Td (${escapePdfString(text)}) Tj ET`;
    objects[pageIds[i]!] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] ` +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  let trailerExtra = '';
  if (opts.encrypt) {
    // Standard security handler, RC4 40-bit (PDF 1.7 §7.6.3). The /U value is random, so the
    // empty user password does not match and a reader must ask for one.
    const encryptId = objects.length;
    objects[encryptId] = `<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`;
    trailerExtra = ` /Encrypt ${encryptId} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]`;
  }
  return serialise(objects, trailerExtra);
}

/** Starts like a PDF, then nothing a reader can recover. */
export function makeBrokenPdf(): Buffer {
  return Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\nthis is not a PDF body at all\n'.repeat(20), 'latin1');
}

function serialise(objects: string[], trailerExtra: string): Buffer {
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function escapePdfString(text: string): string {
  return text.replace(/[\\()]/g, (c) => `\\${c}`);
}

/**
 * A one-page PDF holding one `side`×`side` RGB image of a single colour, Flate-compressed: a few
 * hundred KB on disk that a reader must decode into `side`² × 3 bytes (and more, to draw it).
 */
export function makeImagePdf(side: number): Buffer {
  const pixels = deflateSync(Buffer.alloc(side * side * 3, 0x80), { level: 9 });
  const content = 'q 960 0 0 540 0 0 cm /Im1 Do Q';
  const objects: Array<string | Buffer> = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
  objects[3] = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>';
  objects[4] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  objects[5] = Buffer.concat([
    Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>\nstream\n`, 'latin1'),
    pixels,
    Buffer.from('\nendstream', 'latin1'),
  ]);
  return serialiseBinary(objects);
}

function serialiseBinary(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  const add = (part: Buffer): void => void (parts.push(part), (length += part.length));
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = length;
    const body = objects[id]!;
    add(Buffer.concat([Buffer.from(`${id} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]));
  }
  let tail = `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) tail += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  add(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
}
