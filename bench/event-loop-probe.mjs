// Preloaded into the benchmarked server (NODE_OPTIONS=--import): its own event-loop delay
// histogram (perf_hooks.monitorEventLoopDelay), printed and reset on SIGUSR2, so the bench reads
// how long the server's main thread really paused, without any change to the server's code.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => (ns / 1e6).toFixed(1);
    process.stdout.write(`event-loop-delay max=${ms(histogram.max)} p99=${ms(histogram.percentile(99))}\n`);
    histogram.reset();
  });
}
