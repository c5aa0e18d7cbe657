import type { TestR2Bucket } from 'cloudflare:test';
import type { SeedObject } from './node-fixtures.ts';

export function decodeBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** Puts the objects in the order given, as the uploader does (`current` pointers last). */
export async function seedBucket(bucket: TestR2Bucket, objects: readonly SeedObject[]): Promise<void> {
  for (const { key, base64 } of objects) await bucket.put(key, decodeBase64(base64));
}

export function seedObject(objects: readonly SeedObject[], key: string): Uint8Array {
  const object = objects.find((o) => o.key === key);
  if (!object) throw new Error(`no seed object ${key}`);
  return decodeBase64(object.base64);
}
