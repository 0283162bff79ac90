// Preloaded into the benchmarked server (NODE_OPTIONS=--import): its own event-loop delay
// histogram (perf_hooks.monitorEventLoopDelay), printed and reset on SIGUSR2, so the bench reads
// how long the server's main thread really paused, without any change to the server's code.
//
// It also says why the longest pause happened: a 10 ms timer finds it, and for its span the main
// thread's scheduler counters (/proc/self/task/<pid>/schedstat: time on a CPU, time runnable but
// waiting for one) and the garbage collections (perf_hooks 'gc' entries) are kept. A pause the
// thread spent waiting is CPU contention; one it spent running is our code or GC.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const longest = watchLongestPause();
  process.on('SIGUSR2', () => {
    const ms = (ns) => (ns / 1e6).toFixed(1);
    const p = longest.take();
    process.stdout.write(`event-loop-delay max=${ms(histogram.max)} p99=${ms(histogram.percentile(99))} longest-gap=${p.gapMs.toFixed(1)} ran=${p.ranMs.toFixed(1)} waited=${p.waitedMs.toFixed(1)} gc=${p.gcMs.toFixed(1)}\n`);
    histogram.reset();
  });
}

function watchLongestPause() {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const read = () => {
    try {
      const [run, wait] = readFileSync(schedstat, 'utf8').split(' ').map(Number);
      return { run, wait };
    } catch {
      return { run: NaN, wait: NaN }; // not Linux, or no schedstats
    }
  };
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });
  const empty = () => ({ gapMs: 0, ranMs: 0, waitedMs: 0, gcMs: 0 });
  let worst = empty();
  let last = performance.now();
  let before = read();
  setInterval(() => {
    const now = performance.now();
    const after = read();
    const gapMs = now - last - 10;
    if (gapMs > worst.gapMs) worst = { gapMs, ranMs: (after.run - before.run) / 1e6, waitedMs: (after.wait - before.wait) / 1e6, gcMs };
    last = now;
    before = after;
    gcMs = 0;
  }, 10).unref();
  return {
    take() {
      const taken = worst;
      worst = empty();
      return taken;
    },
  };
}
