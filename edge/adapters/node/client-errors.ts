import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../../errors.ts';
import type { ErrorCode } from '../../schemas.ts';

type Refusal = [status: number, reason: string, code: ErrorCode, message: string];

const REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'headers_too_large',
    'the request line and headers (the URL included) are over 16 KiB',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'the request did not arrive in time'],
};
const MALFORMED: Refusal = [400, 'Bad Request', 'invalid_request', 'the request is not valid HTTP/1.1'];

/**
 * Requests Node's HTTP parser refuses (headers or URL over 16 KiB, malformed HTTP, too slow to arrive)
 * never reach the app, and Node would answer them with a bare status line: this gives them the API's JSON
 * error body too, then closes the connection.
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] = REFUSALS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
