import type { AppProps } from 'next/app';
import Head from 'next/head';
import { SITE_TITLE } from '@/app/site';
import '@/app/globals.css';

/** The audience page's app shell (see pages/index.tsx for why that page is on the Pages Router). */
export default function App({ Component, pageProps }: AppProps) {
  return (
    <>
      <Head>
        <title>{SITE_TITLE}</title>
        {/* Never maximum-scale or user-scalable: the audience pinch-zooms into slides. */}
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
      </Head>
      <Component {...pageProps} />
    </>
  );
}
