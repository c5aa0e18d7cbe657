import { describe, expect, it } from 'vitest';
import type { Logger } from '../../logger.ts';
import { createLiveApp, type Generation, type SwitchMode } from './live-app.ts';

/**
 * How an isolate follows the `current` pointers (the workerd suite checks the same with real versions in
 * R2, test/workers/recommend.test.ts): generations here answer with their versions.
 */
function harness(ttlMs = 30_000, switchMode: SwitchMode = 'overlap') {
  let pointers = 'm@v1';
  let now = 0;
  const loads: string[] = [];
  const released: string[] = [];
  /** Generations loaded and not yet released, at the most at any time. */
  let held = 0;
  let mostHeld = 0;
  const errors: string[] = [];
  let failLoad: string | undefined;
  let failVerify: string | undefined;
  let holdServe: Promise<void> | undefined;
  const logger: Logger = { error: (_m, fields) => errors.push(String(fields.error)), info: () => undefined };
  const live = createLiveApp<null>({
    async load() {
      const versions = pointers;
      if (failLoad === versions) throw new Error(`cannot load ${versions}`);
      loads.push(versions);
      mostHeld = Math.max(mostHeld, ++held);
      return {
        versions,
        async serve() {
          if (holdServe) await holdServe;
          return new Response(versions);
        },
        async release() {
          held--;
          released.push(versions);
        },
      } satisfies Generation;
    },
    pointers: async () => pointers,
    ttlMs: () => ttlMs,
    switchMode: () => switchMode,
    // What the Worker checks cheaply (the manifests): here, a version marked unloadable fails it too.
    async verify(_env, versions) {
      if (failVerify === versions) throw new Error(`${versions} has no manifest`);
    },
    logger,
    now: () => now,
  });
  const ask = async () => (await live.fetch(new Request('http://x/'), null)).text();
  return {
    ask,
    loads,
    released,
    errors,
    mostHeld: () => mostHeld,
    move: (to: string) => {
      pointers = to;
    },
    tick: (ms: number) => {
      now += ms;
    },
    failLoadOf: (versions: string | undefined) => {
      failLoad = versions;
    },
    failVerifyOf: (versions: string | undefined) => {
      failVerify = versions;
    },
    hold: (gate: Promise<void> | undefined) => {
      holdServe = gate;
    },
  };
}

describe('the live app', () => {
  it('serves what it loaded until the TTL has passed, then what the pointers name', async () => {
    const h = harness();
    expect(await h.ask()).toBe('m@v1');
    h.move('m@v2');
    h.tick(29_999);
    expect(await h.ask()).toBe('m@v1');
    h.tick(1);
    expect(await h.ask()).toBe('m@v2');
    expect(h.loads).toEqual(['m@v1', 'm@v2']);
    expect(h.released).toEqual(['m@v1']);
  });

  it('reads the pointers once per TTL and loads nothing while they stay', async () => {
    const h = harness();
    await h.ask();
    for (let i = 0; i < 5; i++) {
      h.tick(30_000);
      expect(await h.ask()).toBe('m@v1');
    }
    expect(h.loads).toEqual(['m@v1']);
  });

  it('frees the old generation only when its last request is done', async () => {
    const h = harness();
    await h.ask();
    let open!: () => void;
    h.hold(new Promise((resolve) => (open = resolve)));
    const slow = h.ask();
    await new Promise((resolve) => setTimeout(resolve, 0));
    h.hold(undefined);
    h.move('m@v2');
    h.tick(30_000);
    expect(await h.ask()).toBe('m@v2');
    expect(h.released).toEqual([]);
    open();
    expect(await slow).toBe('m@v1');
    expect(h.released).toEqual(['m@v1']);
  });

  it('keeps serving when the new versions fail to load, logs it, and tries again after the TTL', async () => {
    const h = harness();
    await h.ask();
    h.move('m@v9');
    h.failLoadOf('m@v9');
    h.tick(30_000);
    expect(await h.ask()).toBe('m@v1');
    expect(h.errors).toEqual(['cannot load m@v9']);
    h.failLoadOf(undefined);
    h.tick(29_000);
    expect(await h.ask()).toBe('m@v1');
    h.tick(1_000);
    expect(await h.ask()).toBe('m@v9');
  });

  it('fails a request while nothing could be loaded yet, and the next one tries again', async () => {
    const h = harness();
    h.failLoadOf('m@v1');
    await expect(h.ask()).rejects.toThrow('cannot load m@v1');
    h.failLoadOf(undefined);
    expect(await h.ask()).toBe('m@v1');
  });

  it("release-first: a switch waits for the old versions' requests, frees them, then loads the new ones", async () => {
    const h = harness(30_000, 'release-first');
    await h.ask();
    let open!: () => void;
    h.hold(new Promise((resolve) => (open = resolve)));
    const slow = h.ask();
    await new Promise((resolve) => setTimeout(resolve, 0));
    h.hold(undefined);
    h.move('m@v2');
    h.tick(30_000);
    const switching = h.ask();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // v1 is draining: a request arriving now waits for v2 instead of starting on v1.
    const waiting = h.ask();
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Nothing new loads while v1 still answers its request.
    expect(h.loads).toEqual(['m@v1']);
    open();
    expect(await slow).toBe('m@v1');
    expect(await switching).toBe('m@v2');
    expect(await waiting).toBe('m@v2');
    expect(h.loads).toEqual(['m@v1', 'm@v2']);
    expect(h.released).toEqual(['m@v1']);
    expect(h.mostHeld()).toBe(1);
  });

  it('overlap: a switch holds both generations until the old one is done', async () => {
    const h = harness(30_000, 'overlap');
    await h.ask();
    h.move('m@v2');
    h.tick(30_000);
    expect(await h.ask()).toBe('m@v2');
    expect(h.mostHeld()).toBe(2);
  });

  it('release-first: versions that fail the check are logged and the old ones serve on', async () => {
    const h = harness(30_000, 'release-first');
    await h.ask();
    h.move('m@v9');
    h.failVerifyOf('m@v9');
    h.tick(30_000);
    expect(await h.ask()).toBe('m@v1');
    expect(h.errors).toEqual(['m@v9 has no manifest']);
    expect(h.released).toEqual([]);
  });

  it('release-first: new versions that pass the check but fail to load answer errors until they load', async () => {
    const h = harness(30_000, 'release-first');
    await h.ask();
    h.move('m@v9');
    h.failLoadOf('m@v9');
    h.tick(30_000);
    await expect(h.ask()).rejects.toThrow('cannot load m@v9');
    h.failLoadOf(undefined);
    expect(await h.ask()).toBe('m@v9');
    expect(h.released).toEqual(['m@v1']);
  });

  it('reads the pointers before every request with a TTL of 0, in either mode', async () => {
    for (const mode of ['overlap', 'release-first'] as const) {
      const h = harness(0, mode);
      expect(await h.ask()).toBe('m@v1');
      expect(await h.ask()).toBe('m@v1');
      h.move('m@v2');
      expect(await h.ask()).toBe('m@v2');
      expect(h.loads).toEqual(['m@v1', 'm@v2']);
    }
  });
});
