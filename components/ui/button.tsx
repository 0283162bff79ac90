import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentPropsWithRef } from 'react';
import { cn } from './cn';

export const buttonVariants = cva(
  'inline-flex select-none items-center justify-center gap-2 rounded-xl font-semibold transition-colors ' +
    'focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-400 ' +
    'disabled:pointer-events-none disabled:opacity-40',
  {
    variants: {
      variant: {
        primary: 'bg-sky-500 text-slate-950 hover:bg-sky-400 active:bg-sky-300',
        secondary: 'bg-slate-800 text-slate-100 hover:bg-slate-700 active:bg-slate-600',
        ghost: 'bg-transparent text-slate-200 hover:bg-slate-800 active:bg-slate-700',
        danger: 'bg-red-600 text-white hover:bg-red-500 active:bg-red-400',
        outline: 'border border-slate-600 bg-transparent text-slate-100 hover:bg-slate-800',
      },
      size: {
        sm: 'min-h-10 px-3 text-sm',
        md: 'min-h-12 px-4 text-base',
        lg: 'min-h-14 px-6 text-lg',
        icon: 'size-12 text-xl',
        huge: 'min-h-20 px-6 text-2xl',
      },
    },
    defaultVariants: { variant: 'secondary', size: 'md' },
  },
);

/** A button's props, its ref included (React 19 passes ref as a prop). */
export type ButtonProps = ComponentPropsWithRef<'button'> & VariantProps<typeof buttonVariants>;

export function Button({ className, variant, size, type = 'button', ...props }: ButtonProps) {
  return <button type={type} className={cn(buttonVariants({ variant, size }), className)} {...props} />;
}
