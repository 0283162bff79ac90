'use client';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useEffectEvent, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { api, ApiFailure } from '@/lib/client/api';
import { safeNext } from '@/lib/slideshow/safe-next';

/** Only our own pages are valid destinations after signing in (see lib/slideshow/safe-next.ts). */
function destination(next: string | null): string {
  return safeNext(next, typeof window === 'undefined' ? undefined : window.location.origin);
}

function describe(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.code === 'wrong_key') return 'That presenter key is not right.';
    if (error.code === 'too_many_wrong_keys') return 'Too many wrong keys are being tried right now. Wait a moment, then try again.';
    return error.message;
  }
  return 'Signing in failed. Try again.';
}

/**
 * The presenter key form. `/sign-in?key=…` (the link the server prints) signs in at once and
 * drops the key from the address bar and history before anything else happens.
 */
/** What a sign-in link that failed (`?error=`) tells the presenter. */
const SIGN_IN_ERRORS: Record<string, string> = {
  'wrong-key': 'That presenter key is not right.',
  'remote-code': 'That remote code has been used or has expired: show a new one in the presenter view.',
  'too-many': 'Too many wrong keys are being tried right now. Wait a moment, then try again.',
  'cross-site': 'That sign-in link was opened from another site. Paste it into the address bar, or type the key.',
};

export function SignInForm() {
  const router = useRouter();
  // Never null on the App Router, where this form lives; typed nullable because of the Pages Router.
  const params = useSearchParams();
  const next = destination(params?.get('next') ?? null);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(SIGN_IN_ERRORS[params?.get('error') ?? '']);
  const linkUsed = useRef(false);

  const signIn = async (value: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn(value);
      router.replace(next);
    } catch (failure) {
      setError(describe(failure));
      setBusy(false);
    }
  };

  const followLink = useEffectEvent((linkKey: string) => {
    router.replace(next === '/presenter' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`);
    void signIn(linkKey);
  });
  useEffect(() => {
    const linkKey = params?.get('key');
    if (!linkKey || linkUsed.current) return;
    linkUsed.current = true;
    followLink(linkKey);
  }, [params]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) void signIn(key.trim());
  };

  return (
    <form onSubmit={submit} className="flex w-full flex-col gap-4" noValidate>
      <label htmlFor="presenter-key" className="text-sm font-semibold text-slate-200">
        Presenter key
      </label>
      <input
        id="presenter-key"
        name="key"
        type="password"
        autoComplete="current-password"
        autoFocus
        required
        value={key}
        onChange={(event) => setKey(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'sign-in-error' : 'sign-in-help'}
        className="min-h-12 rounded-xl border border-slate-700 bg-slate-900 px-4 font-mono text-lg text-white focus-visible:outline-3 focus-visible:outline-sky-400 aria-invalid:border-red-500"
      />
      {error ? (
        <p id="sign-in-error" role="alert" className="text-red-300">
          {error}
        </p>
      ) : (
        <p id="sign-in-help" className="text-sm text-slate-400">
          The server prints the key (and a sign-in link) when it starts.
        </p>
      )}
      <Button type="submit" variant="primary" size="lg" disabled={busy || !key.trim()}>
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
