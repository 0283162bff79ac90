import type { Metadata } from 'next';
import { LibraryPage } from '@/components/library/library';

export const metadata: Metadata = { title: 'Decks · Comet Deck', robots: { index: false } };

export default function Decks() {
  return <LibraryPage />;
}
