'use client';
import { clsx } from 'clsx';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ProgressBar } from '@/components/ui/progress-bar';
import { uploadDeck, type ServerProgress, type UploadJob } from '@/lib/client/upload';
import type { DeckSummary } from '@/lib/slideshow';
import { ACCEPT, formatBytes, selectionProblems } from './files';

type Upload =
  | { phase: 'idle' }
  | { phase: 'uploading'; sent: number; total: number; processing: ServerProgress | undefined; job: UploadJob }
  | { phase: 'done'; deck: DeckSummary }
  | { phase: 'failed'; error: string; file?: string };

const STAGES: Record<ServerProgress['stage'], string> = {
  receiving: 'Receiving files',
  extracting: 'Unpacking the ZIP',
  converting: 'Converting the presentation',
  rendering: 'Rendering slides',
};

/** "3 of 12" slides or entries; a conversion counts its steps, the one under way included ("step 1 of 2"). */
function processingCount({ stage, done, total }: ServerProgress): string {
  return stage === 'converting' ? `step ${Math.min(done + 1, total)} of ${total}` : `${done} of ${total}`;
}

/** Drop or pick slides (images, a ZIP or a PDF), give a title, watch both progress bars. */
export function UploadPanel({ onUploaded, onPresent }: { onUploaded(deck: DeckSummary): void; onPresent(deck: DeckSummary): void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [title, setTitle] = useState('');
  const [dragging, setDragging] = useState(false);
  const [upload, setUpload] = useState<Upload>({ phase: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  const problems = selectionProblems(files);
  const busy = upload.phase === 'uploading';
  // While it runs, the focused button is Cancel, which goes away with the upload: the outcome takes focus instead of <body>.
  const outcome = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (upload.phase === 'done' || upload.phase === 'failed') outcome.current?.focus();
  }, [upload.phase]);
  /** The server's complaint about one file, shown next to it as well. */
  const serverProblem = upload.phase === 'failed' && upload.file ? { file: upload.file, error: upload.error } : undefined;

  const add = (picked: FileList | null) => {
    // Copy now: the FileList is live, and the input is cleared right after this call.
    const added = picked ? Array.from(picked) : [];
    if (added.length === 0) return;
    setFiles((current) => [...current, ...added]);
    if (upload.phase !== 'uploading') setUpload({ phase: 'idle' });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!busy) add(event.dataTransfer.files);
  };

  const start = async () => {
    const job = uploadDeck(files, title.trim() || undefined, (event) => {
      setUpload((current) => {
        if (current.phase !== 'uploading') return current;
        if (event.kind === 'transfer') return { ...current, sent: event.loaded, total: event.total };
        return { ...current, processing: event.progress };
      });
    });
    const total = files.reduce((sum, file) => sum + file.size, 0);
    setUpload({ phase: 'uploading', sent: 0, total, processing: undefined, job });
    const result = await job.result;
    if (result.ok) {
      setUpload({ phase: 'done', deck: result.deck });
      setFiles([]);
      setTitle('');
      onUploaded(result.deck);
    } else if (result.cancelled) {
      setUpload({ phase: 'idle' });
    } else {
      setUpload({ phase: 'failed', error: result.error, file: result.file });
    }
  };

  return (
    <section aria-labelledby="upload-heading" className="flex flex-col gap-4 rounded-2xl border border-slate-800 bg-slate-900/60 p-4 sm:p-6">
      <h2 id="upload-heading" className="text-xl font-bold">
        Upload a deck
      </h2>
      <div
        onDragEnter={(event) => {
          event.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragOver={(event) => event.preventDefault()}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
        className={clsx(
          'flex flex-col items-center justify-center gap-3 rounded-2xl border-2 border-dashed px-4 py-10 text-center transition-colors',
          dragging ? 'border-sky-400 bg-sky-950/50' : 'border-slate-700',
          // Not faded while busy: faded text falls below WCAG contrast; the controls show they are disabled.
          busy && 'border-slate-800',
        )}
      >
        <p className="text-lg font-semibold">Drop your slides here</p>
        <p className="max-w-md text-sm text-slate-400">Images (PNG, JPEG, WebP, GIF) in slide order, one ZIP of images, one PDF, or one presentation (PowerPoint, OpenDocument, Keynote).</p>
        <input ref={input} id="deck-files" type="file" multiple accept={ACCEPT} aria-label="Slide files" className="sr-only" disabled={busy} onChange={(event) => {
          add(event.target.files);
          event.target.value = '';
        }} />
        <Button variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
          Choose files…
        </Button>
      </div>

      {files.length > 0 && (
        <ul aria-label="Selected files" className="flex flex-col divide-y divide-slate-800 rounded-xl border border-slate-800">
          {files.map((file, index) => (
            <li key={`${file.name}:${index}`} className="flex items-center gap-3 px-3 py-2">
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{file.name}</p>
                {problems.has(index) || serverProblem?.file === file.name ? (
                  <p className="text-sm text-red-300">{problems.get(index) ?? serverProblem?.error}</p>
                ) : (
                  <p className="text-sm text-slate-400">{formatBytes(file.size)}</p>
                )}
              </div>
              <Button
                variant="ghost"
                size="sm"
                disabled={busy}
                aria-label={`Remove ${file.name}`}
                onClick={() => setFiles((current) => current.filter((_, i) => i !== index))}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}

      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex flex-1 flex-col gap-1.5">
          <label htmlFor="deck-title" className="text-sm font-semibold text-slate-200">
            Title <span className="font-normal text-slate-400">(optional)</span>
          </label>
          <input
            id="deck-title"
            value={title}
            maxLength={200}
            disabled={busy}
            onChange={(event) => setTitle(event.target.value)}
            placeholder="Taken from the file name if empty"
            className="min-h-12 rounded-xl border border-slate-700 bg-slate-950 px-3 text-white placeholder:text-slate-500 focus-visible:outline-3 focus-visible:outline-sky-400"
          />
        </div>
        {busy ? (
          <Button variant="outline" size="lg" onClick={() => upload.job.cancel()}>
            Cancel
          </Button>
        ) : (
          <Button variant="primary" size="lg" disabled={files.length === 0 || problems.size > 0} onClick={() => void start()}>
            Upload {files.length > 0 ? `${files.length} ${files.length === 1 ? 'file' : 'files'}` : ''}
          </Button>
        )}
      </div>

      {upload.phase === 'uploading' && (
        <div className="flex flex-col gap-3" aria-live="polite">
          <ProgressBar
            label="Uploading"
            value={upload.total > 0 ? upload.sent / upload.total : undefined}
            detail={`${formatBytes(upload.sent)} of ${formatBytes(upload.total)}`}
          />
          <ProgressBar
            label={upload.processing ? STAGES[upload.processing.stage] : 'Processing'}
            tone="success"
            value={upload.processing && upload.processing.total > 0 ? upload.processing.done / upload.processing.total : upload.sent < upload.total ? 0 : undefined}
            detail={
              upload.processing
                ? `${processingCount(upload.processing)}${upload.processing.file ? ` · ${upload.processing.file}` : ''}`
                : upload.sent < upload.total
                  ? 'Waiting for the upload'
                  : 'Starting…'
            }
          />
        </div>
      )}
      {upload.phase === 'failed' && (
        <div ref={outcome} tabIndex={-1} role="alert" className="rounded-xl border border-red-800 bg-red-950 px-4 py-3 text-red-100 focus-visible:outline-3 focus-visible:outline-sky-400">
          <p className="font-semibold">{upload.file ? `Problem with ${upload.file}` : 'The upload failed'}</p>
          <p>{upload.error}</p>
        </div>
      )}
      {upload.phase === 'done' && (
        <div ref={outcome} tabIndex={-1} role="status" className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-emerald-800 bg-emerald-950 px-4 py-3 text-emerald-100 focus-visible:outline-3 focus-visible:outline-sky-400">
          <p>
            <span className="font-semibold">{upload.deck.title}</span> is ready: {upload.deck.count} {upload.deck.count === 1 ? 'slide' : 'slides'}.
          </p>
          <Button variant="primary" size="sm" onClick={() => onPresent(upload.deck)}>
            Present it
          </Button>
        </div>
      )}
    </section>
  );
}
