import Head from 'next/head';
import { fullScreenSizes } from '@/components/slides/slide-picture';
import type { ShownSlide } from '@/lib/slideshow';

/**
 * Asks for the live slide's image from the document's head, before the stylesheet and scripts:
 * the same candidates and `sizes` as the full-screen SlidePicture, so the browser fetches exactly
 * the variant the `<img>` then uses (WebP where it reads WebP, as the `<picture>` does).
 */
export function SlidePreload({ slide }: { slide: ShownSlide }) {
  const sizes = fullScreenSizes(slide);
  const webp = slide.images.map((image) => `${image.webp} ${image.width}w`).join(', ');
  const jpeg = slide.images.map((image) => `${image.jpeg} ${image.width}w`).join(', ');
  return (
    <Head>
      {webp ? (
        <link key="slide-preload" rel="preload" as="image" type="image/webp" imageSrcSet={webp} imageSizes={sizes} fetchPriority="high" />
      ) : (
        <link key="slide-preload" rel="preload" as="image" href={slide.src} imageSrcSet={jpeg || undefined} imageSizes={jpeg ? sizes : undefined} fetchPriority="high" />
      )}
    </Head>
  );
}
