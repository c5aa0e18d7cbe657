import { type Command, Option } from 'commander';
import type { NodeServerOptions } from '../edge/adapters/node/server.ts';

/**
 * The flags of `serve` and `start` that bound what clients may do: request limits, rate limits, CORS,
 * the proxy in front. Each has an environment variable (the flag wins); defaults are the server's (see
 * SECURITY.md). Ranges are checked by the server's options schema.
 */
const NUMBER_FLAGS = {
  maxBodyBytes: ['DML_EDGE_MAX_BODY_BYTES', 'request bodies in bytes (default 1048576; 413 above)'],
  maxBatch: ['DML_EDGE_MAX_BATCH', 'texts, pairs, images or events per request (default 128)'],
  maxTextChars: ['DML_EDGE_MAX_TEXT_CHARS', 'characters per text (default 10000)'],
  maxK: ['DML_EDGE_MAX_K', 'results per search or recommendation (default 100)'],
  maxImagePixels: ['DML_EDGE_MAX_IMAGE_PIXELS', 'pixels per PNG or JPEG input (default 4000000)'],
  addressRate: ['DML_EDGE_ADDRESS_RATE', 'requests per second per client address (default 0: off)'],
  addressBurst: ['DML_EDGE_ADDRESS_BURST', 'requests at once per address (default twice the rate)'],
  keyRate: ['DML_EDGE_KEY_RATE', 'requests per second per API key (default 0: off)'],
  keyBurst: ['DML_EDGE_KEY_BURST', 'requests at once per API key (default twice the rate)'],
  requestTimeout: ['DML_EDGE_REQUEST_TIMEOUT_MS', 'ms for a request to arrive in full (default 30000)'],
} as const;
type NumberFlag = keyof typeof NUMBER_FLAGS;

export type AccessFlags = Partial<Record<NumberFlag, string>> & {
  corsOrigin?: string;
  trustProxy?: boolean;
  /** false with --no-access-log. */
  accessLog?: boolean;
  metrics?: string;
};

const METRICS_MODES = ['open', 'key', 'off'] as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Adds the access flags to a command. */
export function addAccessOptions(command: Command): Command {
  for (const [name, [env, text]] of Object.entries(NUMBER_FLAGS)) {
    command.addOption(new Option(`--${kebab(name)} <n>`, `${text}; env ${env}`));
  }
  return command
    .addOption(
      new Option(
        '--cors-origin <list>',
        'comma-separated origins browsers may call from, or * (default none: CORS off); env DML_EDGE_CORS_ORIGINS',
      ),
    )
    .addOption(
      new Option(
        '--trust-proxy',
        'behind a reverse proxy: rate-limit the last X-Forwarded-For address; env DML_EDGE_TRUST_PROXY=1',
      ),
    )
    .addOption(
      new Option('--no-access-log', 'no log line per request (on by default); env DML_EDGE_ACCESS_LOG=0'),
    )
    .addOption(
      new Option(
        '--metrics <mode>',
        'GET /metrics (Prometheus): open like /healthz, key (a read key), or off (default open); env DML_EDGE_METRICS',
      ).choices(METRICS_MODES),
    );
}

/** The server options these flags (or their environment variables) set; unset ones keep their defaults. */
export function accessServerOptions(
  flags: AccessFlags,
  env: NodeJS.ProcessEnv = process.env,
): Pick<
  NodeServerOptions,
  'limits' | 'rateLimits' | 'cors' | 'trustProxy' | 'requestTimeoutMs' | 'accessLog' | 'metrics'
> {
  const number = (flag: NumberFlag): number | undefined => {
    const text = flags[flag] ?? env[NUMBER_FLAGS[flag][0]];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`--${kebab(flag)} must be a number; got '${text}'`);
    return value;
  };
  const origins = String(flags.corsOrigin ?? env.DML_EDGE_CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const rate = (perSecond: number | undefined, burst: number | undefined) => ({ perSecond, burst });
  const metrics = flags.metrics ?? env.DML_EDGE_METRICS ?? 'open';
  if (!(METRICS_MODES as readonly string[]).includes(metrics)) {
    throw new Error(`DML_EDGE_METRICS must be open, key or off; got '${metrics}'`);
  }
  return {
    limits: {
      maxBodyBytes: number('maxBodyBytes'),
      maxBatch: number('maxBatch'),
      maxTextChars: number('maxTextChars'),
      maxK: number('maxK'),
      maxImagePixels: number('maxImagePixels'),
    },
    rateLimits: {
      perAddress: rate(number('addressRate'), number('addressBurst')),
      perKey: rate(number('keyRate'), number('keyBurst')),
    },
    cors: { origins },
    trustProxy: flags.trustProxy === true || ['1', 'true'].includes(env.DML_EDGE_TRUST_PROXY ?? ''),
    requestTimeoutMs: number('requestTimeout'),
    accessLog: flags.accessLog !== false && !['0', 'false'].includes(env.DML_EDGE_ACCESS_LOG ?? ''),
    metrics: metrics as (typeof METRICS_MODES)[number],
  };
}
