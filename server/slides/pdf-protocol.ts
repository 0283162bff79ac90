/**
 * Messages between pdf.ts (the server) and render-child.mjs (the PDF render child process), over
 * the child's IPC channel as JSON. Only file names, sizes and text cross: the pixels are drawn
 * and encoded inside the child, which writes the image files itself.
 */
import type { RenderedSlide } from './render-image';

export type PdfRequest =
  | { id: number; type: 'open'; file: string; maxImagePixels: number }
  /** Draw page `page` `width` px wide and write its image files as slide `token` into `outDir`. */
  | { id: number; type: 'render'; page: number; width: number; maxPagePixels: number; outDir: string; token: string };

export type PdfFailureReason = 'password' | 'invalid' | 'page-too-large' | 'memory' | 'other';

export type PdfReply =
  | { id: number; type: 'opened'; pages: number }
  | { id: number; type: 'rendered'; slide: RenderedSlide; text: string }
  | { id: number; type: 'failed'; reason: PdfFailureReason; message: string };
