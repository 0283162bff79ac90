/**
 * Tells the connection when the page comes back: visible again, restored from the back/forward
 * cache, resumed after being frozen, or the network is back (`networkChanged`). Phones sleep and
 * switch networks mid-talk; these are the moments a held retry should run at once.
 */
export interface PageReturnHandlers {
  back(networkChanged: boolean): void;
  offline(): void;
}

/** Starts listening; returns the function that stops. */
export function watchPageReturn({ back, offline }: PageReturnHandlers): () => void {
  const onOnline = () => back(true);
  const onVisible = () => {
    if (document.visibilityState === 'visible') back(false);
  };
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) back(false);
  };
  const onResume = () => back(false);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', offline);
  window.addEventListener('pageshow', onPageShow);
  document.addEventListener('visibilitychange', onVisible);
  document.addEventListener('resume', onResume);
  return () => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', offline);
    window.removeEventListener('pageshow', onPageShow);
    document.removeEventListener('visibilitychange', onVisible);
    document.removeEventListener('resume', onResume);
  };
}
