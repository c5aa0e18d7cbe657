import { expect } from 'vitest';
import { ErrorResponseSchema } from '../../edge/schemas.ts';

/** Test-only: one HTTP exchange with a real server, and what every answer must look like. */

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export interface Send {
  method?: string;
  /** A string is sent as is (malformed JSON included); anything else as JSON. */
  body?: unknown;
  key?: string;
  headers?: Record<string, string>;
}

export async function send(url: string, { method, body, key, headers = {} }: Send = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Stack frames and server-side paths: an answer must hold none that the request did not bring. */
const LEAKS = [
  /\bat [^\n]*:\d+:\d+/g,
  /(?:^|[\s"'(])\/(?:tmp|home|work|usr|var|root|opt|srv|etc)\/[^\s"')]*/g,
  /node_modules/g,
  /file:\/\/[^\s"')]*/g,
  /\.ts:\d+/g,
];

/**
 * The contract under any input: a 2xx, or a 4xx whose body is `{error: {code, message}}`; never a 5xx,
 * and no stack trace or file path in the body. Returns the error code of a 4xx.
 */
export function expectCleanAnswer(reply: Reply, request = ''): string | undefined {
  const context = `${reply.status} ${reply.text.slice(0, 500)}\nrequest: ${request.slice(0, 300)}`;
  expect(reply.status < 500 && reply.status >= 200, context).toBe(true);
  for (const pattern of LEAKS) {
    for (const [leak] of reply.text.matchAll(pattern))
      expect(request, `leaked ${leak}: ${context}`).toContain(leak.trim());
  }
  if (reply.status < 400) return undefined;
  const parsed = ErrorResponseSchema.safeParse(JSON.parse(reply.text));
  expect(parsed.success, context).toBe(true);
  return parsed.data?.error.code;
}

/** The error code of a reply that must be an error with this status. */
export function errorCode(reply: Reply, status: number): string {
  expect(reply.status, reply.text).toBe(status);
  return ErrorResponseSchema.parse(JSON.parse(reply.text)).error.code;
}
