/**
 * Base64 text (plain or as a `data:image/...;base64,` URL) to bytes with the web-standard `atob`, which
 * Node and Workers share. Whitespace is ignored; anything else outside the base64 alphabet is an error.
 */
const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class Base64Error extends Error {
  override readonly name = 'Base64Error';
}

export function base64ToBytes(text: string): Uint8Array {
  const payload = text.replace(DATA_URL, '').replace(/\s+/g, '');
  if (!BASE64.test(payload) || payload.length % 4 === 1)
    throw new Base64Error('the image is not valid base64');
  const binary = atob(payload);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
