import type { ParseArgsConfig } from 'node:util';
import type { NodeServerOptions } from '../edge/adapters/node/server.ts';

type Values = Record<string, string | boolean | undefined>;

/**
 * The flags of `serve` and `start` that bound what clients may do: request limits, rate limits, CORS,
 * the proxy in front. Each has an environment variable (the flag wins); defaults are the server's (see
 * SECURITY.md). Ranges are checked by the server's options schema.
 */
const NUMBER_FLAGS = {
  'max-body-bytes': ['DML_EDGE_MAX_BODY_BYTES', 'request bodies in bytes (default 1048576; 413 above)'],
  'max-batch': ['DML_EDGE_MAX_BATCH', 'texts, pairs, images or events per request (default 128)'],
  'max-text-chars': ['DML_EDGE_MAX_TEXT_CHARS', 'characters per text (default 10000)'],
  'max-k': ['DML_EDGE_MAX_K', 'results per search or recommendation (default 100)'],
  'max-image-pixels': ['DML_EDGE_MAX_IMAGE_PIXELS', 'pixels per PNG or JPEG input (default 4000000)'],
  'address-rate': ['DML_EDGE_ADDRESS_RATE', 'requests per second per client address (default 0: off)'],
  'address-burst': ['DML_EDGE_ADDRESS_BURST', 'requests at once per address (default twice the rate)'],
  'key-rate': ['DML_EDGE_KEY_RATE', 'requests per second per API key (default 0: off)'],
  'key-burst': ['DML_EDGE_KEY_BURST', 'requests at once per API key (default twice the rate)'],
  'request-timeout': ['DML_EDGE_REQUEST_TIMEOUT_MS', 'ms for a request to arrive in full (default 30000)'],
} as const;
type NumberFlag = keyof typeof NUMBER_FLAGS;

export const accessOptions: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  'cors-origin': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
};

export const accessHelp: [string, string][] = [
  ...Object.entries(NUMBER_FLAGS).map(([flag, [env, text]]): [string, string] => [
    `--${flag} <n>`,
    `${text}; env ${env}`,
  ]),
  [
    '--cors-origin <list>',
    'comma-separated origins browsers may call from, or * (default none: CORS off); env DML_EDGE_CORS_ORIGINS',
  ],
  [
    '--trust-proxy',
    'behind a reverse proxy: rate-limit the last X-Forwarded-For address; env DML_EDGE_TRUST_PROXY=1',
  ],
];

/** The server options these flags (or their environment variables) set; unset ones keep their defaults. */
export function accessServerOptions(
  values: Values,
  env: NodeJS.ProcessEnv = process.env,
): Pick<NodeServerOptions, 'limits' | 'rateLimits' | 'cors' | 'trustProxy' | 'requestTimeoutMs'> {
  const number = (flag: NumberFlag): number | undefined => {
    const text = values[flag] ?? env[NUMBER_FLAGS[flag][0]];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`--${flag} must be a number; got '${text}'`);
    return value;
  };
  const origins = String(values['cors-origin'] ?? env.DML_EDGE_CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const rate = (perSecond: number | undefined, burst: number | undefined) => ({ perSecond, burst });
  return {
    limits: {
      maxBodyBytes: number('max-body-bytes'),
      maxBatch: number('max-batch'),
      maxTextChars: number('max-text-chars'),
      maxK: number('max-k'),
      maxImagePixels: number('max-image-pixels'),
    },
    rateLimits: {
      perAddress: rate(number('address-rate'), number('address-burst')),
      perKey: rate(number('key-rate'), number('key-burst')),
    },
    cors: { origins },
    trustProxy: values['trust-proxy'] === true || ['1', 'true'].includes(env.DML_EDGE_TRUST_PROXY ?? ''),
    requestTimeoutMs: number('request-timeout'),
  };
}
