'use client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useSendCommand } from './presenter-connection';

export function EndTalkButton() {
  const send = useSendCommand();
  const [asking, setAsking] = useState(false);
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
          void send({ live: false });
        }}
      >
        Every phone goes back to the waiting screen. You can present again from your decks.
      </ConfirmDialog>
    </>
  );
}
