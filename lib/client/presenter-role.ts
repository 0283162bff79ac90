/**
 * What a presenter's page adds to the connection: the token in every handshake, the audience
 * count, and commands. Built here and handed to `connectSlideshow`, so the audience page, which
 * never imports this module, bundles none of it.
 */
import type { Message } from 'cometd';
import { parseAudienceCount, SLIDESHOW_CHANNELS, type SlideshowState } from '@/lib/slideshow';
import { postCommand, publishOverBayeux } from './command-routes';
import { createCommandSender } from './command-sender';
import type { PresenterRole } from './connection';
import { installPresenterAuth } from './presenter-auth';

export interface PresenterOptions {
  /** A fresh handshake token (GET /api/presenter/token); rejects with `{ status: 401 }` when signed out. */
  getToken: () => Promise<string>;
  /** Each state the stores took, whichever way it came. */
  onState?: (state: SlideshowState) => void;
  /** Each audience size received on `/slideshow/audience`. */
  onAudienceCount?: (count: number) => void;
}

export function presenterRole({ getToken, onState, onAudienceCount }: PresenterOptions): PresenterRole {
  return {
    onState,
    attach(cometd, link) {
      const onAudience = (message: Message) => {
        const count = parseAudienceCount(message.data);
        if (link.isOpen() && count) onAudienceCount?.(count.count);
      };
      return {
        ...installPresenterAuth(cometd, getToken),
        subscribe: () => void cometd.subscribe(SLIDESHOW_CHANNELS.audience, onAudience),
        publishCommand: createCommandSender({ ...link, overBayeux: (command) => publishOverBayeux(cometd, command), overHttp: postCommand }),
      };
    },
  };
}
