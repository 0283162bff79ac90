'use client';
import { useEffect, useState } from 'react';

/** The current time, updated every `intervalMs` on the second boundary; undefined before mount. */
export function useNow(intervalMs = 1_000): number | undefined {
  const [now, setNow] = useState<number | undefined>(undefined);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const time = Date.now();
      setNow(time);
      timer = setTimeout(tick, intervalMs - (time % intervalMs) + 5);
    };
    tick();
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}
