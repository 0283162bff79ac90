'use client';
import { useEffect } from 'react';

/**
 * A browser only lets a page go full screen from a user's click or key press, so the room display
 * goes full screen on the first one it gets (the presenter drags the window to the projector and
 * clicks in it). Escape, the browser's own way out, is left alone.
 */
export function useFullscreenOnPress(): void {
  useEffect(() => {
    const enter = (event: Event) => {
      if (event instanceof KeyboardEvent && event.key === 'Escape') return;
      if (document.fullscreenElement || !document.documentElement.requestFullscreen) return;
      void document.documentElement.requestFullscreen({ navigationUI: 'hide' }).catch(() => undefined);
    };
    window.addEventListener('click', enter);
    window.addEventListener('keydown', enter);
    return () => {
      window.removeEventListener('click', enter);
      window.removeEventListener('keydown', enter);
    };
  }, []);
}
