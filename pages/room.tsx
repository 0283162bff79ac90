import Head from 'next/head';
import { SITE_TITLE } from '@/app/site';
import { RoomView } from '@/components/room/room-view';

/**
 * The room display: what the projector shows. Only the live slide, letterboxed on black, and the
 * join link with its QR code while waiting, after the end, and whenever the presenter puts it up.
 * It follows the talk over Bayeux exactly as a phone does, so it is never ahead of the audience.
 * On the Pages Router for the same reason as the audience page (pages/index.tsx): small scripts.
 */
export default function RoomPage() {
  return (
    <>
      <Head>
        <title>{`Room display · ${SITE_TITLE}`}</title>
      </Head>
      <RoomView />
    </>
  );
}
