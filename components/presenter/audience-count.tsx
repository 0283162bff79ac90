'use client';
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { PeopleIcon } from './icons';

/** How many phones follow the talk, from `/slideshow/audience`. */
export function AudienceCount() {
  const count = usePresenterStore((s) => s.audience);
  const label = count === undefined ? 'Audience: unknown' : `${count} ${count === 1 ? 'phone' : 'phones'} following`;
  return (
    <div className="flex items-center gap-2 rounded-xl bg-slate-900 px-3 py-1.5" title={label}>
      <PeopleIcon className="text-sky-400" />
      <span className="sr-only">{label}</span>
      <span aria-hidden className="font-mono text-xl font-bold tabular-nums">
        {count ?? '–'}
      </span>
    </div>
  );
}
