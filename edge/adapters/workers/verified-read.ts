import type { FileEntry } from '../../../shared/manifest.ts';

/** workerd's streaming hash (a WritableStream that digests what is written); not in the DOM types. */
type DigestStreamConstructor = new (
  algorithm: 'SHA-256',
) => WritableStream<Uint8Array> & { readonly digest: Promise<ArrayBuffer> };

/**
 * Streams an artifact into `target` (exactly the manifest's size) while hashing it, then checks size and
 * sha256 against the manifest entry. Nothing is buffered beside `target`, so a large index.db can go
 * straight into SQLite's memory: the Workers isolate has 128 MB in all. Without a target the bytes are
 * only hashed (a file later read by byte range, checked once). Throws naming `key` on any mismatch;
 * `target` must then be discarded.
 */
export async function readVerified(
  body: ReadableStream<Uint8Array>,
  key: string,
  entry: FileEntry,
  target?: Uint8Array,
): Promise<void> {
  if (target && target.length !== entry.bytes) {
    throw new Error(`${key}: a target of ${target.length} bytes for a file of ${entry.bytes}`);
  }
  const { DigestStream } = crypto as unknown as { DigestStream: DigestStreamConstructor };
  const digest = new DigestStream('SHA-256');
  const hash = digest.getWriter();
  const reader = body.getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > entry.bytes) {
      await reader.cancel();
      throw new Error(`${key} has more than the ${entry.bytes} bytes the manifest says`);
    }
    target?.set(value, received);
    received += value.length;
    await hash.write(value);
  }
  await hash.close();
  if (received !== entry.bytes) {
    throw new Error(`${key} has ${received} bytes, the manifest says ${entry.bytes}`);
  }
  const sha256 = hex(await digest.digest);
  if (sha256 !== entry.sha256) {
    throw new Error(`${key} has sha256 ${sha256}, the manifest says ${entry.sha256}`);
  }
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
