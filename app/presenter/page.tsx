import type { Metadata } from 'next';
import { PresenterPage } from '@/components/presenter/presenter-view';

export const metadata: Metadata = { title: 'Presenter · Comet Deck', robots: { index: false } };

export default function Presenter() {
  return <PresenterPage />;
}
