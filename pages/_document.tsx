import { Head, Html, Main, NextScript } from 'next/document';
import { BODY_CLASS, SITE_DESCRIPTION, SITE_ICON, THEME_COLOR } from '@/app/site';

/**
 * The document of the audience page, the one Pages Router page: what app/layout.tsx gives the App
 * Router pages. The title and the viewport are in pages/_app.tsx, as Next wants them (next/head).
 */
export default function Document() {
  return (
    <Html lang="en">
      <Head>
        <meta name="theme-color" content={THEME_COLOR} />
        <meta name="color-scheme" content="dark" />
        <meta name="description" content={SITE_DESCRIPTION} />
        <link rel="icon" href={SITE_ICON} />
      </Head>
      <body className={BODY_CLASS}>
        <Main />
        <NextScript />
      </body>
    </Html>
  );
}
