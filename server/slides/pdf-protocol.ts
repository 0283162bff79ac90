/** Messages between pdf.ts (the main thread) and pdf-worker.mjs (the PDF worker thread). */

export type PdfRequest =
  | { type: 'open'; file: string; maxImagePixels: number }
  | { type: 'render'; page: number; width: number; maxHeight: number };

export type PdfReply =
  | { type: 'opened'; pages: number }
  /** RGBA pixels, the buffer transferred rather than copied. */
  | { type: 'page'; width: number; height: number; pixels: Uint8Array; text: string }
  | { type: 'failed'; reason: 'password' | 'invalid' | 'other'; message: string };
