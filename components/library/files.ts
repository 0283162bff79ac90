/** What the upload accepts (docs/api.md): images, or one ZIP of images, or one PDF. */

export const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif,.png,.jpg,.jpeg,.webp,.gif,application/zip,application/x-zip-compressed,.zip,application/pdf,.pdf';

export type FileKind = 'image' | 'zip' | 'pdf';

export function kindOf(file: File): FileKind | undefined {
  const name = file.name.toLowerCase();
  if (/^image\/(png|jpeg|webp|gif)$/.test(file.type) || /\.(png|jpe?g|webp|gif)$/.test(name)) return 'image';
  if (file.type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (file.type.includes('zip') || name.endsWith('.zip')) return 'zip';
  return undefined;
}

/** A problem with each file that cannot be uploaded as selected, keyed by position. */
export function selectionProblems(files: readonly File[]): Map<number, string> {
  const problems = new Map<number, string>();
  files.forEach((file, index) => {
    const kind = kindOf(file);
    if (!kind) problems.set(index, 'Not a PNG, JPEG, WebP or GIF image, a ZIP or a PDF.');
    else if (kind !== 'image' && files.length > 1) problems.set(index, `A ${kind === 'zip' ? 'ZIP' : 'PDF'} is uploaded on its own: remove the other files.`);
  });
  return problems;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
