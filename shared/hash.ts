/** SHA-256 as lower-case hex through Web Crypto, which Node and workerd both provide. */
export async function sha256Hex(data: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
