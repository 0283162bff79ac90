import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignInForm } from '@/components/presenter/sign-in-form';

export const metadata: Metadata = { title: 'Sign in · Comet Deck', robots: { index: false }, referrer: 'no-referrer' };

export default function SignInPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-12">
      <div className="flex w-full max-w-sm flex-col gap-6">
        <div>
          <p className="text-sm font-semibold uppercase tracking-[0.2em] text-sky-400">Comet Deck</p>
          <h1 className="mt-2 text-3xl font-bold">Sign in to present</h1>
        </div>
        <Suspense fallback={null}>
          <SignInForm />
        </Suspense>
      </div>
    </main>
  );
}
