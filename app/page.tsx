import { AudienceView } from '@/components/audience/audience-view';

/** The audience's page: the live slide, phone first. Everything live arrives over Bayeux. */
export default function AudiencePage() {
  return <AudienceView />;
}
