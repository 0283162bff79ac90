'use client';
import { useEffect, useRef, type ReactNode } from 'react';
import { cn } from './cn';

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  /** Accessible name. */
  title: string;
  children: ReactNode;
  className?: string;
  /** Hide the visible heading (the title still names the dialog). */
  hideTitle?: boolean;
}

/** A modal on the native `<dialog>`: focus trap, Escape and the top layer come from the browser. */
export function Dialog({ open, onClose, title, children, className, hideTitle }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      className={cn(
        'm-auto max-h-[90dvh] w-[min(32rem,calc(100vw-2rem))] rounded-2xl border border-slate-700 bg-slate-900 p-6 text-slate-100 shadow-2xl backdrop:bg-black/70',
        className,
      )}
    >
      {open && (
        <>
          <h2 className={cn('mb-4 text-xl font-bold', hideTitle && 'sr-only')}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}
