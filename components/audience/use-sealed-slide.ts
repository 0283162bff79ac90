'use client';
import { useEffect, useState } from 'react';
import type { SlideshowState } from '@/lib/slideshow';
import { sealedPrefetch } from '@/lib/client/sealed-ahead';

/**
 * The live slide opened from its prefetched sealed copy (lib/client/sealed-prefetch.ts, loaded by sealed-ahead.ts): a blob:
 * URL to paint; `null` while it is being opened (paint the placeholder, and no plain request yet);
 * undefined to paint the plain image as always (nothing prefetched, a jump, or it did not open).
 */
export function useSealedSlide(state: SlideshowState | undefined, showingLive: boolean): string | null | undefined {
  const prefetch = sealedPrefetch();
  const target = state?.live && showingLive && prefetch?.hasPrefetched(state) ? state : undefined;
  const id = target ? `${target.deck}:${target.slide}:${target.key}` : undefined;
  const [result, setResult] = useState<{ id: string; url: string | undefined }>();
  useEffect(() => {
    if (!target || !id || !prefetch) return;
    let current = true;
    void prefetch.openPrefetched(target).then((url) => current && setResult({ id, url }));
    return () => void (current = false);
    // `id` names everything of `target` that matters.
  }, [id]);
  if (!id) return undefined;
  if (result?.id === id) return result.url;
  // Opened before this render (the feed starts opening as the state arrives): no frame of placeholder.
  return prefetch!.openedNow(target!);
}
