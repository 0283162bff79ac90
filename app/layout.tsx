import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { BODY_CLASS, SITE_DESCRIPTION, SITE_ICON, SITE_TITLE, THEME_COLOR } from './site';
import './globals.css';

// The root layout of the App Router pages: the presenter's and the 404 page. The audience page
// (`/`) is on the Pages Router (pages/index.tsx says why); pages/_document.tsx and pages/_app.tsx
// give it the same document as this layout.

export const metadata: Metadata = {
  title: SITE_TITLE,
  description: SITE_DESCRIPTION,
  icons: { icon: SITE_ICON },
};

// Never set maximumScale or userScalable: the audience pinch-zooms into slides.
export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
  themeColor: THEME_COLOR,
  colorScheme: 'dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className={BODY_CLASS}>{children}</body>
    </html>
  );
}
