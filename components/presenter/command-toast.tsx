'use client';
import { useEffect } from 'react';
import { usePresenterStore } from '@/lib/stores/presenter-store';

const SHOWN_MS = 6_000;

/** The last command that failed, for a few seconds. */
export function CommandToast() {
  const failure = usePresenterStore((s) => s.failure);
  const dismiss = usePresenterStore((s) => s.failureDismissed);
  useEffect(() => {
    if (!failure) return;
    const timer = setTimeout(dismiss, SHOWN_MS);
    return () => clearTimeout(timer);
  }, [failure, dismiss]);
  return (
    <div role="alert" className="pointer-events-none fixed inset-x-0 bottom-28 z-40 flex justify-center px-4">
      {failure && (
        <button
          type="button"
          onClick={dismiss}
          className="pointer-events-auto max-w-lg rounded-xl bg-red-700 px-4 py-3 text-left font-medium text-white shadow-xl"
        >
          {failure.message}
          <span className="sr-only"> (dismiss)</span>
        </button>
      )}
    </div>
  );
}
