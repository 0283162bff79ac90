'use client';
import { useEffect, useState } from 'react';

/**
 * The time by `clock` (injectable for tests; Date.now by default), updated every `intervalMs` on
 * the second boundary; undefined before mount.
 */
export function useNow(intervalMs = 1_000, clock: () => number = Date.now): number | undefined {
  const [now, setNow] = useState<number | undefined>(undefined);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const time = clock();
      setNow(time);
      timer = setTimeout(tick, intervalMs - (time % intervalMs) + 5);
    };
    tick();
    return () => clearTimeout(timer);
  }, [intervalMs, clock]);
  return now;
}
