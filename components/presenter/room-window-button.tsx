'use client';
import { Button } from '@/components/ui/button';
import { openRoomWindow } from '@/lib/client/room-window';
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { ScreenIcon } from './icons';

/** "Open the slideshow window": the room display for the projector (lib/client/room-window.ts). */
export function RoomWindowButton() {
  const open = async () => {
    const { opened } = await openRoomWindow();
    if (!opened) usePresenterStore.getState().commandFailed('The browser blocked the slideshow window: press the button again, or allow pop-ups for this site.');
  };
  return (
    <Button variant="outline" size="sm" onClick={() => void open()} aria-label="Open the slideshow window" title="The live slide only, for the projector: drag it there, click in it for full screen">
      <ScreenIcon />
      {/* The whole label only where the header has room for it beside the clocks and End talk. */}
      <span aria-hidden className="2xl:hidden">Slideshow window</span>
      <span aria-hidden className="hidden 2xl:inline">Open the slideshow window</span>
    </Button>
  );
}
