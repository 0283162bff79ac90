'use client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useSendCommand } from './presenter-connection';

/** End talk, after a confirmation that can also offer the audience a handout of the slides shown. */
export function EndTalkButton() {
  const send = useSendCommand();
  const [asking, setAsking] = useState(false);
  const [handout, setHandout] = useState(false);
  return (
    <>
      <Button variant="danger" size="sm" onClick={() => setAsking(true)}>
        End talk
      </Button>
      <ConfirmDialog
        open={asking}
        title="End the talk?"
        confirmLabel="End talk"
        cancelLabel="Keep presenting"
        danger
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          void send(handout ? { live: false, handout: true } : { live: false });
        }}
      >
        <p>Every phone says the talk has ended and keeps the slides it was shown. You can present again from your decks.</p>
        <label className="mt-4 flex items-start gap-3 text-slate-200">
          <input type="checkbox" checked={handout} onChange={(event) => setHandout(event.target.checked)} className="mt-1 size-5 accent-sky-500" />
          <span>Offer a handout: a PDF of exactly the slides shown, on every phone&apos;s end screen</span>
        </label>
      </ConfirmDialog>
    </>
  );
}
