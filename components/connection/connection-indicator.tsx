'use client';
import { clsx } from 'clsx';
import { CONNECTION_LABELS, useConnectionStore, type ConnectionStatus } from '@/lib/stores/connection-store';

const DOT: Record<ConnectionStatus, string> = {
  connected: 'bg-emerald-400',
  connecting: 'bg-sky-400 animate-pulse',
  reconnecting: 'bg-amber-400 animate-pulse',
  offline: 'bg-red-500',
};

export interface ConnectionIndicatorProps {
  className?: string;
  /** Show the label on screen even when connected (it is always there for screen readers). */
  alwaysLabel?: boolean;
}

/** A dot for the connection; its label is read out, and shown whenever something is wrong. */
export function ConnectionIndicator({ className, alwaysLabel = false }: ConnectionIndicatorProps) {
  const status = useConnectionStore((s) => s.status);
  const showLabel = alwaysLabel || status !== 'connected';
  return (
    <div
      role="status"
      className={clsx(
        'inline-flex items-center gap-2 rounded-full text-sm font-medium text-slate-100',
        showLabel && 'bg-black/60 px-3 py-1.5 backdrop-blur',
        className,
      )}
    >
      <span aria-hidden className={clsx('size-2.5 shrink-0 rounded-full ring-2 ring-black/40', DOT[status])} />
      <span className={showLabel ? undefined : 'sr-only'}>{status === 'connected' ? 'Connected' : CONNECTION_LABELS[status]}</span>
    </div>
  );
}
