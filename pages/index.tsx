import type { GetServerSideProps } from 'next';
import { Suspense } from 'react';
import { AudienceView } from '@/components/audience/audience-view';
import { SlidePreload } from '@/components/audience/slide-preload';
import type { SlideshowState } from '@/lib/slideshow';
import { pageStateOf } from '@/lib/slideshow/page-state';
import { SlideshowStart } from '@/lib/stores/slideshow-store';

/**
 * The audience's page: the live slide, phone first. It is rendered on the server with the public
 * state (what `GET /api/live` answers, which the server puts on the request), so the first HTML
 * already holds the live slide's image, or the waiting title, and works without JavaScript; the
 * page then follows the talk over Bayeux.
 *
 * It is on the Pages Router for the JavaScript every phone downloads: measured with Next 16.4 and
 * React 19.3, its scripts came to 152 KB gzipped on the App Router and to 130 KB here. It needs
 * neither server components nor client-side navigation, which is what the App Router's larger
 * client runtime is for. The presenter's pages (/presenter, /decks, /sign-in) stay on the App
 * Router (app/).
 */
interface AudiencePageProps {
  /** Null when the page was rendered without our server (then it waits for the connection). */
  state: SlideshowState | null;
}

export const getServerSideProps: GetServerSideProps<AudiencePageProps> = async ({ req, res }) => {
  // The answer is the live state of the moment: never kept by a shared cache, nor reused later.
  res.setHeader('Cache-Control', 'private, no-store');
  const state = pageStateOf(req);
  // Exactly the JSON that GET /api/live sends (no undefined fields, which Next refuses in props).
  return { props: { state: state ? (JSON.parse(JSON.stringify(state)) as SlideshowState) : null } };
};

export default function AudiencePage({ state }: AudiencePageProps) {
  return (
    <SlideshowStart state={state ?? undefined}>
      {state?.live && !state.blackout && <SlidePreload slide={state} />}
      {/* Server-rendered content inside a boundary is hydrated in slices that yield to the browser,
          not in the one long task React gives a tree at default priority. */}
      <Suspense fallback={null}>
        <AudienceView />
      </Suspense>
    </SlideshowStart>
  );
}
