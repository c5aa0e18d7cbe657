import { createRequire } from 'node:module';

/** The part of the `ws` client (wrangler's own dependency; Node 20 has no WebSocket) this file uses. */
interface Socket {
  on(event: 'open' | 'message' | 'error' | 'close', listener: (data: unknown) => void): void;
  send(data: string): void;
  close(): void;
}

/** V8's heap figures for the isolate behind a DevTools endpoint (Runtime.getHeapUsage). */
export interface HeapUsage {
  /** The JavaScript heap in use: live objects and garbage not yet collected (an upper bound on live). */
  usedSize: number;
  totalSize: number;
  /** ArrayBuffers and external strings held outside the JS heap. */
  backingStorageSize?: number;
  /** usedSize before the collection. */
  beforeCollection?: number;
}

/**
 * Asks the isolate `wrangler dev --inspector-port` exposes for its heap usage: the JavaScript half of
 * what an isolate's 128 MB must hold (the WebAssembly half is in /healthz). Chrome DevTools Protocol over
 * the inspector's WebSocket. workerd's inspector does not answer HeapProfiler.collectGarbage, so the
 * figure includes garbage not yet collected.
 */
export async function heapUsage(inspectorPort: number): Promise<HeapUsage> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  if (!targets[0]) throw new Error(`no inspector target on port ${inspectorPort}`);
  const WebSocket = createRequire(import.meta.url)('ws') as new (url: string) => Socket;
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  const pending = new Map<number, (result: unknown) => void>();
  let next = 0;
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method }));
      setTimeout(() => reject(new Error(`${method}: no answer from the inspector`)), 120_000);
    });
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', (error) => reject(error));
  });
  try {
    const before = (await call('Runtime.getHeapUsage')) as HeapUsage;
    // A heap snapshot collects garbage first (workerd's inspector does not answer collectGarbage).
    await call('HeapProfiler.takeHeapSnapshot');
    const after = (await call('Runtime.getHeapUsage')) as HeapUsage;
    return { ...after, beforeCollection: before.usedSize };
  } finally {
    socket.close();
  }
}
