'use client';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { QrIcon } from './icons';
import { useSendCommand } from './presenter-connection';
import { QrCode } from '@/components/ui/qr-code';
import { useJoinUrl } from './use-origin';

/**
 * The full-screen QR, here and on the room display. During a talk it is the talk's `qr` (so the
 * room display shows it too, and a press that takes it down anywhere closes it here); before a
 * talk it is only this window's (the room display shows the QR anyway while waiting).
 */
function useProjectedQr(): [boolean, (up: boolean) => void] {
  const send = useSendCommand();
  const live = useSlideshowStore((s) => s.state?.live === true);
  const qrUp = useSlideshowStore((s) => s.state?.live === true && s.state.qr === true);
  const [local, setLocal] = useState(false);
  const set = (up: boolean) => {
    if (live) void send({ qr: up });
    setLocal(up && !live);
  };
  return [live ? qrUp : local, set];
}

/** The audience link: a button showing it, a dialog with its QR code, and a projector-size QR. */
export function JoinPanel() {
  const joinUrl = useJoinUrl();
  const host = joinUrl.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const [open, setOpen] = useState(false);
  const [projecting, setProjecting] = useProjectedQr();
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(joinUrl);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      setCopied(false);
    }
  };

  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)} className="max-w-full" title="Show the join link and QR code">
        <QrIcon />
        <span className="truncate">
          Join: <span className="font-mono">{host}</span>
        </span>
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Invite the audience">
        <div className="flex flex-col items-center gap-4">
          <QrCode text={joinUrl} label={`QR code for ${joinUrl}`} className="w-64 max-w-full rounded-lg p-2" />
          <p className="break-all text-center font-mono text-xl font-semibold">{joinUrl}</p>
          <p className="text-center text-sm text-slate-400">
            Phones open this link and follow every slide live. During a talk, “Show full screen” puts the QR on the slideshow window too; the next
            press of → takes it down.
          </p>
          <div className="flex w-full flex-wrap justify-center gap-2">
            <Button variant="secondary" onClick={copy}>
              {copied ? 'Copied' : 'Copy link'}
            </Button>
            <Button
              variant="primary"
              onClick={() => {
                setOpen(false);
                setProjecting(true);
              }}
            >
              Show full screen
            </Button>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Close
            </Button>
          </div>
        </div>
      </Dialog>
      {projecting && <ProjectedQr url={joinUrl} onClose={() => setProjecting(false)} />}
    </>
  );
}

/** The QR code as big as the screen (and the browser in full screen), for the projector. */
function ProjectedQr({ url, onClose }: { url: string; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useEffectEvent(onClose);
  useEffect(() => {
    const element = ref.current;
    element?.focus();
    element?.requestFullscreen?.().catch(() => undefined);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    const onFullscreen = () => {
      if (!document.fullscreenElement) close();
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('fullscreenchange', onFullscreen);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('fullscreenchange', onFullscreen);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    };
  }, []);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="dialog"
      aria-modal
      aria-label="Join QR code, full screen"
      onClick={onClose}
      className="fixed inset-0 z-50 flex cursor-pointer flex-col items-center justify-center gap-[3vmin] bg-white p-[3vmin] text-black outline-none"
    >
      <QrCode text={url} label={`QR code for ${url}`} className="w-[min(78vh,90vw)]" />
      <p className="break-all text-center font-mono text-[min(5vw,6vh)] font-bold leading-none">{url}</p>
      <p className="text-[min(2vw,2.5vh)] text-slate-600">Scan to follow the slides on your phone · click, Esc or → to close</p>
    </div>
  );
}
