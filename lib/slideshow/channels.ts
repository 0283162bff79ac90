/** The slideshow's Bayeux channels, shared by the server and the pages. */
export const SLIDESHOW_CHANNELS = {
  /** Every slide change (presenter publishes `PresenterCommand`, everyone receives `SlideshowState`). */
  change: '/slideshow/change',
  /** Audience size for presenters (`AudienceCount`); only presenter sessions may subscribe. */
  audience: '/slideshow/audience',
} as const;

/** The namespace only presenters may publish to; never opened by BAYEUX_PUBLIC_CHANNELS. */
export const SLIDESHOW_NAMESPACE = '/slideshow';

/**
 * The `ext` key of a successful publish reply to a presenter's command (and nothing else) that
 * carries the resulting `SlideshowState`. Not `data`: CometD clients hand a message with `data`
 * to the channel's subscribers, as if it were a broadcast.
 */
export const COMMAND_STATE_EXT = 'slideshowState';
