'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { api } from '@/lib/client/api';
import { formatDuration } from './pacing';
import { QrCode } from '@/components/ui/qr-code';
import { useNow } from './use-now';

type Code = { status: 'loading' } | { status: 'ready'; url: string; expiresAt: number } | { status: 'failed'; error: string };

/**
 * "Use my phone as a remote": a QR code holding a one-time sign-in link (never the presenter key).
 * The phone that scans it becomes a second presenter view, with notes and the sticky controls.
 */
export function RemotePanel() {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState<Code>({ status: 'loading' });
  const issue = () => {
    setCode({ status: 'loading' });
    api.remoteCode().then(
      (issued) => setCode({ status: 'ready', ...issued }),
      (error: unknown) => setCode({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  };
  useEffect(() => {
    if (open) issue();
  }, [open]);
  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)}>Use my phone as a remote</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Use your phone as a remote">
        <div className="flex flex-col items-center gap-4">
          {code.status === 'ready' ? <ReadyCode url={code.url} expiresAt={code.expiresAt} onRenew={issue} /> : null}
          {code.status === 'loading' && <p className="text-slate-400">Making a code…</p>}
          {code.status === 'failed' && <p role="alert" className="text-red-300">No code: {code.error}</p>}
          <Button variant="ghost" onClick={() => setOpen(false)}>Close</Button>
        </div>
      </Dialog>
    </>
  );
}

function ReadyCode({ url, expiresAt, onRenew }: { url: string; expiresAt: number; onRenew(): void }) {
  const now = useNow();
  const left = now === undefined ? undefined : expiresAt - now;
  if (left !== undefined && left <= 0) {
    return (
      <>
        <p>This code has expired.</p>
        <Button variant="primary" onClick={onRenew}>New code</Button>
      </>
    );
  }
  return (
    <>
      <QrCode text={url} label="QR code that signs your phone in as the remote" className="w-64 max-w-full rounded-lg p-2" />
      <p className="text-center text-sm text-slate-300">
        Scan with your phone&apos;s camera. The code works once{left !== undefined ? ` and expires in ${formatDuration(left)}` : ''}.
      </p>
      <a href={url} data-testid="remote-link" className="sr-only">One-time remote sign-in link</a>
    </>
  );
}
