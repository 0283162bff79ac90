'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { api } from '@/lib/client/api';
import { usePresenterStore } from '@/lib/stores/presenter-store';

/** Renders its children only for a signed-in presenter; sends anyone else to /sign-in. */
export function RequirePresenter({ children }: { children: ReactNode }) {
  const router = useRouter();
  // Never null on the App Router, where this lives; typed nullable because of the Pages Router.
  const pathname = usePathname();
  const [status, setStatus] = useState<'checking' | 'signed-in' | 'failed'>('checking');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    api.session().then(
      (session) => {
        if (cancelled) return;
        if (session.presenter) {
          usePresenterStore.getState().presenterSignedIn(session);
          setStatus('signed-in');
        }
        else router.replace(pathname === null ? '/sign-in' : `/sign-in?next=${encodeURIComponent(pathname)}`);
      },
      () => {
        if (!cancelled) setStatus('failed');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [router, pathname, attempt]);

  if (status === 'signed-in') return children;
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 px-6 text-center">
      {status === 'checking' ? (
        <>
          <Spinner />
          <p className="text-slate-300">Checking your sign-in…</p>
        </>
      ) : (
        <>
          <p className="text-lg text-slate-200">The server cannot be reached.</p>
          <Button
            variant="primary"
            onClick={() => {
              setStatus('checking');
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </Button>
        </>
      )}
    </main>
  );
}
