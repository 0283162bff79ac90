/**
 * Office presentations made by the real LibreOffice in the test: a flat ODP (`.fodp`, plain XML
 * we write) with slides and speaker notes, converted by `soffice --headless` to `.pptx` or `.odp`
 * exactly as a presenter's LibreOffice would save them. Also a password-protected ODP (ODF 1.2
 * encryption, as LibreOffice writes it: AES-256-CBC, PBKDF2-SHA1, SHA-256 start key) and
 * helpers to check that no soffice process of ours outlives a test.
 */
import { createCipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { makeZip } from './zip-writer';

export interface FodpSlide {
  title: string;
  /** Paragraphs of the speaker notes. */
  notes?: string[];
  hidden?: boolean;
}

const NS = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"',
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"',
].join(' ');

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A flat ODP document: one page per slide, a big title, the notes on the notes page. */
export function makeFodp(slides: FodpSlide[]): string {
  const pages = slides.map((slide, i) => {
    const style = slide.hidden ? ' draw:style-name="hiddenPage"' : '';
    const notes = slide.notes
      ? `<presentation:notes><draw:frame presentation:class="notes" svg:x="2cm" svg:y="14cm" svg:width="17cm" svg:height="10cm"><draw:text-box>${slide.notes.map((p) => `<text:p>${escape(p)}</text:p>`).join('')}</draw:text-box></draw:frame></presentation:notes>`
      : '';
    return `<draw:page draw:name="page${i + 1}"${style}><draw:frame svg:x="2cm" svg:y="3cm" svg:width="24cm" svg:height="6cm"><draw:text-box><text:p>${escape(slide.title)}</text:p></draw:text-box></draw:frame>${notes}</draw:page>`;
  });
  const hiddenStyle = '<office:automatic-styles><style:style style:name="hiddenPage" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style></office:automatic-styles>';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<office:document ${NS} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">${hiddenStyle}<office:body><office:presentation>${pages.join('')}</office:presentation></office:body></office:document>`;
}

export const SOFFICE = process.env.SOFFICE_PATH ?? 'soffice';

/** Converts `slides` with the real soffice to `to` (`pptx`, `ppsx`, `odp`, `ppt`, `pps`) and returns the file's bytes. */
export async function officeFile(slides: FodpSlide[], to: 'pptx' | 'ppsx' | 'odp' | 'ppt' | 'pps'): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cometdeck-fodp-'));
  try {
    await writeFile(path.join(dir, 'deck.fodp'), makeFodp(slides));
    const profile = pathToFileURL(path.join(dir, 'profile')).href;
    await promisify(execFile)(SOFFICE, ['--headless', '--norestore', `-env:UserInstallation=${profile}`, '--convert-to', to, '--outdir', dir, path.join(dir, 'deck.fodp')], {
      timeout: 120_000, env: { ...process.env, HOME: dir },
    });
    return await readFile(path.join(dir, `deck.${to}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The ODP with content.xml encrypted under `password`, as LibreOffice's "Save with password" does. */
export async function encryptOdp(odp: Buffer, password: string): Promise<Buffer> {
  const entries = await readEntries(odp);
  const plain = entries.get('content.xml')!;
  const compressed = deflateRawSync(plain);
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(createHash('sha256').update(password).digest(), salt, 100_000, 32, 'sha1');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(compressed), cipher.final()]);
  const checksum = createHash('sha256').update(compressed.subarray(0, 1024)).digest('base64');
  const encryption = `<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="${plain.length}"><manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="${checksum}"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="${iv.toString('base64')}"/><manifest:start-key-generation manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="${salt.toString('base64')}"/></manifest:encryption-data></manifest:file-entry>`;
  const manifest = entries.get('META-INF/manifest.xml')!.toString('utf8').replace('<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>', encryption);
  if (!manifest.includes('encryption-data')) throw new Error('manifest layout changed: content.xml entry not found');
  return makeZip([...entries].map(([name, data]) => {
    if (name === 'content.xml') return { name, data: encrypted };
    if (name === 'META-INF/manifest.xml') return { name, data: Buffer.from(manifest), deflate: true };
    return { name, data, deflate: name !== 'mimetype' };
  }));
}

async function readEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zip, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zipfile.on('entry', (entry: yauzl.Entry) => {
      zipfile.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => (entries.set(entry.fileName, Buffer.concat(chunks)), zipfile.readEntry()));
      });
    }).on('end', resolve).on('error', reject);
    zipfile.readEntry();
  });
  return entries;
}

/** Process ids whose command line mentions `dir` (e.g. an soffice given a profile under a data folder). */
export async function processesUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
    if (cmdline.includes(dir) || cwd.startsWith(dir)) pids.push(Number(name));
  }
  return pids;
}
