// Test-only instrumentation, preloaded into a served child (NODE_OPTIONS="--expose-gc --import <this>"):
// every second a full collection, then the live heap on stderr. After a full collection only reachable
// objects remain, so a rising series is a leak, not garbage the collector has yet to get to.
setInterval(() => {
  globalThis.gc();
  process.stderr.write(`heap-probe ${process.memoryUsage().heapUsed}\n`);
}, 1000).unref();
