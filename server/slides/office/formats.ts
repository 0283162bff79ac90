/**
 * Which Office format a file is, from its contents. A `.pptx`, an `.odp` and a Keynote `.key` are
 * all ZIP archives, like a ZIP of slide images: they are told apart by the parts inside (OOXML's
 * `[Content_Types].xml` + `ppt/presentation.xml`, ODF's `mimetype` entry, Keynote's `Index/`
 * or `index.apxl`). A `.ppt` / `.pps` (and a password-protected OOXML file) is an OLE compound file.
 */
import { readZipTexts } from './zip-read';

/** `ole`: PowerPoint 97-2003, or an encrypted OOXML package; LibreOffice decides which. */
export type OfficeKind = 'pptx' | 'odp' | 'key' | 'ole';

const ODP_MIME = 'application/vnd.oasis.opendocument.presentation';
const MAX_ENTRIES = 100_000;

/** The Office format of a ZIP, or undefined for any other ZIP (e.g. one of images). */
export async function zipOfficeKind(file: string): Promise<OfficeKind | undefined> {
  let names: string[];
  let mimetype: string | undefined;
  try {
    const zip = await readZipTexts(file, (name) => name === 'mimetype', MAX_ENTRIES, 256);
    names = zip.names;
    mimetype = zip.texts.get('mimetype')?.trim();
  } catch {
    return undefined; // a damaged ZIP: the ZIP path reports it
  }
  const has = new Set(names);
  if (has.has('[Content_Types].xml') && has.has('ppt/presentation.xml')) return 'pptx';
  if (mimetype?.startsWith(ODP_MIME)) return 'odp';
  if (has.has('index.apxl') || names.some((name) => name.startsWith('Index/') && name.endsWith('.iwa'))) return 'key';
  return undefined;
}

/** The extension LibreOffice is given (it picks its import filter partly by the name). */
export function inputExtension(kind: OfficeKind): string {
  return kind === 'ole' ? 'ppt' : kind;
}
