/**
 * The document every page shares, whichever router renders it: app/layout.tsx for the App Router
 * pages, pages/_document.tsx and pages/_app.tsx for the audience page (Pages Router).
 */
export const SITE_TITLE = 'Comet Deck';
export const SITE_DESCRIPTION = 'Self-hosted live slideshow: present from a laptop, the audience follows on their phones.';
export const SITE_ICON = '/favicon.svg';
export const THEME_COLOR = '#020617';
export const BODY_CLASS = 'min-h-dvh bg-slate-950 text-slate-100 antialiased';
