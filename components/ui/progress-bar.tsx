import { cva, type VariantProps } from 'class-variance-authority';
import { cn } from './cn';

const barVariants = cva('h-full rounded-full transition-[width] duration-200 ease-out', {
  variants: {
    tone: { info: 'bg-sky-400', success: 'bg-emerald-400', danger: 'bg-red-500' },
  },
  defaultVariants: { tone: 'info' },
});

export interface ProgressBarProps extends VariantProps<typeof barVariants> {
  /** Visible and accessible name, e.g. "Uploading". */
  label: string;
  /** 0..1, or undefined while the total is unknown (indeterminate). */
  value: number | undefined;
  /** Extra text after the label, e.g. "3 of 12 slides". */
  detail?: string;
  className?: string;
}

export function ProgressBar({ label, value, detail, tone, className }: ProgressBarProps) {
  const percent = value === undefined ? undefined : Math.round(Math.min(Math.max(value, 0), 1) * 100);
  return (
    <div className={cn('flex flex-col gap-1.5', className)}>
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <span className="font-medium text-slate-200">{label}</span>
        <span className="tabular-nums text-slate-400">{detail ?? (percent === undefined ? '' : `${percent}%`)}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={detail}
        className="h-2.5 w-full overflow-hidden rounded-full bg-slate-800"
      >
        <div className={cn(barVariants({ tone }), percent === undefined && 'w-1/3 animate-pulse')} style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}
