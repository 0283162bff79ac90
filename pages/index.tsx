import { AudienceView } from '@/components/audience/audience-view';

/**
 * The audience's page: the live slide, phone first. Everything live arrives over Bayeux.
 *
 * It is on the Pages Router for the JavaScript every phone downloads: measured with Next 16.4 and
 * React 19.3, its scripts came to 152 KB gzipped on the App Router and to 130 KB here. It needs
 * neither server components nor client-side navigation, which is what the App Router's larger
 * client runtime is for. The presenter's pages (/presenter, /decks, /sign-in) stay on the App
 * Router (app/).
 */
export default function AudiencePage() {
  return <AudienceView />;
}
