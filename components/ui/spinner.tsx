import { cn } from './cn';

export function Spinner({ className }: { className?: string }) {
  return <span aria-hidden className={cn('inline-block size-6 animate-spin rounded-full border-3 border-slate-600 border-t-sky-400', className)} />;
}
