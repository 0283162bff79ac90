'use client';
import { clsx } from 'clsx';
import { QrCode } from '@/components/ui/qr-code';

export interface RoomJoinProps {
  /** Undefined while it is being worked out (one request): nothing is drawn rather than a wrong link. */
  joinUrl: string | undefined;
  title: string;
  /** Over the live slide (the presenter's "Show QR"), not the waiting screen. */
  overlay?: boolean;
}

/**
 * The join link and its QR code, sized for the back of the room: the QR takes most of the
 * screen's height, the link is large enough to type. Everything scales with the screen (vmin).
 */
export function RoomJoin({ joinUrl, title, overlay = false }: RoomJoinProps) {
  const host = joinUrl?.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return (
    <section
      aria-label="Join the talk"
      className={clsx(
        'absolute inset-0 flex flex-col items-center justify-center gap-[5vmin] p-[5vmin] landscape:flex-row',
        overlay ? 'bg-black/85' : 'bg-slate-950',
      )}
    >
      {joinUrl && <QrCode text={joinUrl} label={`QR code for ${joinUrl}`} className="w-[min(72vh,80vw)] shrink-0 rounded-[2vmin] p-[1.5vmin]" />}
      <div className="flex min-w-0 max-w-[60vw] flex-col gap-[3vmin] text-center landscape:text-left">
        <p className="text-[2.4vmin] font-semibold uppercase tracking-[0.2em] text-sky-400">Comet Deck</p>
        {overlay ? <p className="text-balance text-[5vmin] font-bold leading-tight">{title}</p> : <h1 className="text-balance text-[5vmin] font-bold leading-tight">{title}</h1>}
        <p className="text-[3vmin] text-slate-300">Follow the slides on your phone: scan the code or open</p>
        {host && <p className="break-all font-mono text-[6vmin] font-bold leading-none text-white">{host}</p>}
      </div>
    </section>
  );
}
