/** What the upload accepts (docs/api.md): images, or one ZIP of images, one PDF, or one presentation. */

const OFFICE_TYPES = [
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.slideshow',
  'application/vnd.ms-powerpoint',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.apple.keynote',
  'application/x-iwork-keynote-sffkey',
];
const OFFICE_EXTENSIONS = /\.(pptx|ppsx|ppt|pps|odp|key)$/;

export const ACCEPT = [
  'image/png,image/jpeg,image/webp,image/gif,.png,.jpg,.jpeg,.webp,.gif,application/zip,application/x-zip-compressed,.zip,application/pdf,.pdf',
  ...OFFICE_TYPES,
  '.pptx,.ppsx,.ppt,.pps,.odp,.key',
].join(',');

export type FileKind = 'image' | 'zip' | 'pdf' | 'office';

const KIND_NAMES: Record<Exclude<FileKind, 'image'>, string> = { zip: 'ZIP', pdf: 'PDF', office: 'presentation' };

export function kindOf(file: File): FileKind | undefined {
  const name = file.name.toLowerCase();
  if (/^image\/(png|jpeg|webp|gif)$/.test(file.type) || /\.(png|jpe?g|webp|gif)$/.test(name)) return 'image';
  if (file.type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  // Before the ZIP test: a .pptx or .key is a ZIP, and some systems report it as one.
  if (OFFICE_TYPES.includes(file.type) || OFFICE_EXTENSIONS.test(name)) return 'office';
  if (file.type.includes('zip') || name.endsWith('.zip')) return 'zip';
  return undefined;
}

/** A problem with each file that cannot be uploaded as selected, keyed by position. */
export function selectionProblems(files: readonly File[]): Map<number, string> {
  const problems = new Map<number, string>();
  files.forEach((file, index) => {
    const kind = kindOf(file);
    if (!kind) problems.set(index, 'Not a PNG, JPEG, WebP or GIF image, a ZIP or a PDF. Nor a PowerPoint, OpenDocument or Keynote presentation.');
    else if (kind !== 'image' && files.length > 1) problems.set(index, `A ${KIND_NAMES[kind]} is uploaded on its own: remove the other files.`);
  });
  return problems;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
