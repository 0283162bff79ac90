export default function HomePage() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-2xl flex-col justify-center gap-8 px-6 py-16">
      <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">
        <span className="text-sky-400">Comet Deck</span> — live slides on every phone
      </h1>
      <p className="text-lg leading-relaxed text-slate-300">
        Upload a deck, present it from your laptop, and everyone in the room follows along on
        their own phone. When you move to the next slide, every screen moves with you, instantly.
      </p>
      <p className="rounded-lg border border-slate-800 bg-slate-900/60 px-4 py-3 text-sm text-slate-400">
        Live updates travel over Bayeux (CometD). The endpoint is at{' '}
        <code className="rounded bg-slate-800 px-1.5 py-0.5 font-mono text-slate-200">/bayeux</code>.
      </p>
    </main>
  );
}
