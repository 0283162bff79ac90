// The replay the peers and floors get for the join-mid-talk and reconnect-storm cases: our server
// sends a phone that subscribes the current state with the talk's history, so these servers send
// the last state published (the bench publishes that same state last, so the bytes are the same).
// A server restarted after a crash starts from the state the bench left in BENCH_REPLAY_FILE,
// as ours starts from its live.json.
import { readFileSync } from 'node:fs';

/** The data last published on /slideshow/change (a JSON string), or what the bench left for a restarted server. */
export function initialReplay() {
  const file = process.env.BENCH_REPLAY_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
