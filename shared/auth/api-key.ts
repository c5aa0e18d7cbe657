import { sha256Hex } from '../hash.ts';

/**
 * API keys look like `dmle_<id>_<secret>`: a public id (12 hex digits) that names the key in listings and
 * finds its record, and a secret of 32 random bytes (base64url). Only sha256 of the whole key is stored.
 * A fast hash is enough because the key carries 256 random bits: there is nothing to guess by brute force,
 * which is what slow password hashes (scrypt, argon2) defend against.
 */
const PREFIX = 'dmle';
const KEY_FORMAT = /^dmle_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  id: string;
  /** Shown once, to whoever created it; never stored. */
  key: string;
  sha256: string;
}

/** A fresh random key, with Web Crypto's generator (Node and workerd both have it). */
export async function generateApiKey(): Promise<NewApiKey> {
  const id = toHex(crypto.getRandomValues(new Uint8Array(6)));
  const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `${PREFIX}_${id}_${secret}`;
  return { id, key, sha256: await hashApiKey(key) };
}

/** The key's public id, or undefined when the text is not a key at all. */
export function apiKeyId(key: string): string | undefined {
  return KEY_FORMAT.exec(key)?.[1];
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(key));
}

/**
 * Compares two strings in time that depends only on their lengths, not on where they first differ, so
 * a caller cannot find a stored hash byte by byte from response times.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return difference === 0;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}
