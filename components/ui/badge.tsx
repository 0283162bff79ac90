import { cva, type VariantProps } from 'class-variance-authority';
import type { HTMLAttributes } from 'react';
import { cn } from './cn';

const badgeVariants = cva('inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold uppercase tracking-wide', {
  variants: {
    tone: {
      neutral: 'bg-slate-800 text-slate-200',
      live: 'bg-red-600 text-white',
      info: 'bg-sky-900 text-sky-100',
      success: 'bg-emerald-900 text-emerald-100',
      warning: 'bg-amber-900 text-amber-100',
    },
  },
  defaultVariants: { tone: 'neutral' },
});

export type BadgeProps = HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>;

export function Badge({ className, tone, ...props }: BadgeProps) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}
