/**
 * The recommendation scenario both builds play in test/workers/recommend.test.ts: the global setup sends
 * these requests, in this order, to a Node server over the tiny recommendation model with a fresh state
 * database (recs-fixtures.ts), and the test sends them to the worker over the same model in R2 with a
 * fresh D1 database. Events recorded in one step change the answers of the next, so equal answers mean
 * equal recommendations, equal event handling and equal event storage.
 */

export const RECS_MODEL = 'tiny-recs';
export const RECS_COLLECTION = 'tiny-movies';

export interface RecsStep {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sent with the scenario's write key. */
  write?: boolean;
}

const FIRST_EVENTS = {
  events: [
    { item_id: '301', rating: 5, timestamp: 1_700_000_000, id: 'u7-1' },
    { item_id: '302', timestamp: 1_700_000_001, id: 'u7-2' },
    { item_id: '110', rating: 1, timestamp: 1_700_000_002, id: 'u7-3' },
  ],
};

export const RECS_STEPS = {
  models: { method: 'GET', path: '/v1/models' },
  knownUser: { method: 'POST', path: '/v1/recommend', body: { user_id: '7', k: 5 } },
  unknownUser: {
    method: 'POST',
    path: '/v1/recommend',
    body: { user_id: 'newcomer', recent_items: ['301', '302', '303'], k: 4 },
  },
  keepSeenFiltered: {
    method: 'POST',
    path: '/v1/recommend',
    body: { recent_items: ['101', '102'], k: 6, exclude_seen: false, filter: { horror: true } },
  },
  ghost: { method: 'POST', path: '/v1/recommend', body: { user_id: 'ghost' } },
  unknownItems: { method: 'POST', path: '/v1/recommend', body: { recent_items: ['101', 'nope', '9999'] } },
  badFilter: {
    method: 'POST',
    path: '/v1/recommend',
    body: { recent_items: ['101'], filter: { mood: 'dark' } },
  },
  similar: { method: 'GET', path: '/v1/items/205/similar?k=4' },
  similarUnknown: { method: 'GET', path: '/v1/items/nope/similar' },
  events: { method: 'POST', path: '/v1/users/7/events', body: FIRST_EVENTS, write: true },
  knownUserAfterEvents: { method: 'POST', path: '/v1/recommend', body: { user_id: '7', k: 5 } },
  // The same batch again, as a client resends it after a dropped answer: stored once.
  eventsRetried: { method: 'POST', path: '/v1/users/7/events', body: FIRST_EVENTS, write: true },
  eventsPartlyRetried: {
    method: 'POST',
    path: '/v1/users/7/events',
    body: {
      events: [
        FIRST_EVENTS.events[0],
        { item_id: '303', rating: 4.5, timestamp: 1_700_000_010, id: 'u7-4' },
        { item_id: '304', timestamp: 1_700_000_011 },
      ],
    },
    write: true,
  },
  knownUserAfterRetries: { method: 'POST', path: '/v1/recommend', body: { user_id: '7', k: 5 } },
  newUserEvents: {
    method: 'POST',
    path: '/v1/users/fresh/events',
    body: { events: [{ item_id: '205', timestamp: 1_700_000_100, id: 'f-1' }] },
    write: true,
  },
  newUser: { method: 'POST', path: '/v1/recommend', body: { user_id: 'fresh', k: 5 } },
  eventsUnknownItem: {
    method: 'POST',
    path: '/v1/users/7/events',
    body: { events: [{ item_id: '101' }, { item_id: 'nope' }] },
    write: true,
  },
  eventsTwiceInOneRequest: {
    method: 'POST',
    path: '/v1/users/7/events',
    body: {
      events: [
        { item_id: '101', id: 'same' },
        { item_id: '102', id: 'same' },
      ],
    },
    write: true,
  },
} satisfies Record<string, RecsStep>;

export type RecsStepName = keyof typeof RECS_STEPS;

/** Asked of each version in the promote/rollback test (user 8 records no events in the scenario). */
export const SWITCH_REQUEST: RecsStep = {
  method: 'POST',
  path: '/v1/recommend',
  body: { user_id: '8', k: 5 },
};

export interface RecsReply {
  status: number;
  modelVersion: string | null;
  body: unknown;
}

/** Sends one step with `fetch` (global fetch in Node, the worker's fetch in workerd). */
export async function sendRecsStep(
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  base: string,
  step: RecsStep,
  writeKey: string,
): Promise<RecsReply> {
  const headers: Record<string, string> = {};
  if (step.body !== undefined) headers['content-type'] = 'application/json';
  if (step.write) headers.authorization = `Bearer ${writeKey}`;
  const response = await fetcher(`${base}${step.path}`, {
    method: step.method,
    headers,
    ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
  });
  return {
    status: response.status,
    modelVersion: response.headers.get('x-model-version'),
    body: await response.json(),
  };
}
