'use client';
import { clsx } from 'clsx';
import { useCallback, useState } from 'react';
import type { ShownSlide } from '@/lib/slideshow';

// Element Timing (`elementtiming`) is not in React's attribute types yet.
declare module 'react' {
  interface ImgHTMLAttributes<T> {
    elementtiming?: string;
  }
}

export interface SlidePictureProps {
  slide: ShownSlide;
  /**
   * The `sizes` attribute: how wide the slide is drawn, so the browser picks the right variant.
   * Defaults to "fills the viewport, letterboxed": full width, or full height on wide screens.
   */
  sizes?: string;
  className?: string;
  /** Load before anything else on the page (the live slide). */
  priority?: boolean;
  /** Zoomed in: load the largest variant (sharp at any zoom), whatever the slide's drawn size. */
  zoomed?: boolean;
  /**
   * Sealed prefetch: the slide already opened in memory (a blob: URL), painted instead of asking
   * for a variant; `null` while it is being opened (the placeholder alone, no request yet).
   */
  opened?: string | null;
  /** The slide's image has loaded (then the page may fetch ahead). */
  onLoad?: () => void;
}

/** Wider than any variant on any screen: the browser takes the largest one. */
const ZOOMED_SIZES = '400vw';

/** How wide a slide filling the viewport with `object-contain` is drawn. */
export function fullScreenSizes(slide: Pick<ShownSlide, 'width' | 'height'>): string {
  const ratio = slide.width / slide.height;
  return `(min-aspect-ratio: ${slide.width}/${slide.height}) ${Math.round(100 * ratio)}vh, 100vw`;
}

/**
 * A slide, contained in its box: WebP variants with a JPEG fallback, and the tiny placeholder
 * painted at once underneath until the real image has loaded. Remount per slide (`key`) so a new
 * slide never shows the previous image while it loads.
 */
export function SlidePicture({ slide, sizes, className, priority = false, zoomed = false, opened, onLoad }: SlidePictureProps) {
  const [loaded, setLoaded] = useState(false);
  const loadedNow = () => {
    setLoaded(true);
    onLoad?.();
  };
  // A server-rendered image may have loaded before hydration, when React was not yet listening for `load`.
  const loadedBeforeHydration = useCallback((image: HTMLImageElement | null) => {
    if (image?.complete && image.naturalWidth > 0) {
      setLoaded(true);
      onLoad?.();
    }
    // Only the element matters: a new onLoad alone is no new image.
  }, []);
  const chosenSizes = zoomed ? ZOOMED_SIZES : sizes ?? fullScreenSizes(slide);
  const webp = slide.images.map((image) => `${image.webp} ${image.width}w`).join(', ');
  const jpeg = slide.images.map((image) => `${image.jpeg} ${image.width}w`).join(', ');
  return (
    <div className={clsx('relative size-full', className)}>
      {!loaded && slide.placeholder && (
        <img src={slide.placeholder} alt="" aria-hidden className="absolute inset-0 size-full object-contain" />
      )}
      {opened !== undefined ? (
        opened && (
          // No sources: the browser must not ask for any variant. `data-plain-src` names the slide it is.
          <picture>
            <img src={opened} data-plain-src={slide.src} alt={slide.alt} elementtiming="slide" width={slide.width} height={slide.height} decoding="async" onLoad={loadedNow} className="absolute inset-0 size-full object-contain" />
          </picture>
        )
      ) : (
      <picture>
        {webp && <source type="image/webp" srcSet={webp} sizes={chosenSizes} />}
        <img
          ref={loadedBeforeHydration}
          src={slide.src}
          srcSet={jpeg || undefined}
          sizes={jpeg ? chosenSizes : undefined}
          alt={slide.alt}
          // Lets a PerformanceObserver see when the slide itself (not its placeholder) was painted.
          elementtiming="slide"
          width={slide.width}
          height={slide.height}
          decoding="async"
          fetchPriority={priority ? 'high' : undefined}
          onLoad={loadedNow}
          className="absolute inset-0 size-full object-contain"
        />
      </picture>
      )}
    </div>
  );
}
