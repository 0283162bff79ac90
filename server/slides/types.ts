/** Types shared by the upload steps (receive -> build). */
import type { UploadProgress } from '../../lib/slideshow/types';

/** An uploaded file, saved under a temp name: `name` is for people and never becomes a path. */
export interface ReceivedFile {
  name: string;
  path: string;
  size: number;
}

export interface ReceivedUpload {
  ok: true;
  /** In upload order. */
  files: ReceivedFile[];
  /** The form's `title`, normalized; absent if empty. */
  title?: string;
  /** Holds the files; `buildDeck` (or `discardUpload`) removes it. */
  tmpDir: string;
}

export type ProgressEvent = Extract<UploadProgress, { type: 'progress' }>;
export type ProgressListener = (event: ProgressEvent) => void;
