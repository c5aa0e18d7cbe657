import type { RunningServer } from './server.ts';

/**
 * What a started server serves, in lines for the start-up text: each model (default first) with its
 * task and collections, how a collection name that several models hold is resolved, and the operations
 * endpoints. For example:
 *
 *   models (2) and collections (2):
 *     wordnet-text@20261128-0300  text-similarity, default  wordnet (117,659 items)
 *     wordnet-big@v2              text-similarity           wordnet (117,659 items)
 *   "wordnet" is in 2 models: requests that name no model get wordnet-text's; add "model" for another
 *   health: /healthz  readiness: /readyz  metrics: /metrics (open)
 */
export function describeServing(server: Pick<RunningServer, 'served' | 'metrics'>): string[] {
  const { models, collections } = server.served();
  const defaultName = models[0]?.manifest.name;
  const rows = models.map(({ manifest }) => {
    const own = collections.filter((c) => c.model === manifest.name);
    return [
      `${manifest.name}@${manifest.version}`,
      manifest.name === defaultName ? `${manifest.task}, default` : manifest.task,
      own.length === 0
        ? 'no collection'
        : own.map((c) => `${c.name} (${c.items.toLocaleString('en-US')} items)`).join(', '),
    ];
  });
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = [
    `models (${models.length}) and collections (${collections.length}):`,
    ...rows.map(([model, task, held]) => `  ${model.padEnd(widths[0])}  ${task.padEnd(widths[1])}  ${held}`),
  ];
  const holders = new Map<string, string[]>();
  for (const c of collections) holders.set(c.name, [...(holders.get(c.name) ?? []), c.model]);
  for (const [name, owners] of holders) {
    if (owners.length < 2) continue;
    lines.push(
      owners.includes(defaultName ?? '')
        ? `"${name}" is in ${owners.length} models: requests that name no model get ${defaultName}'s; add "model" for another`
        : `"${name}" is in ${owners.length} models (${owners.join(', ')}): requests naming it must add "model"`,
    );
  }
  const metrics =
    server.metrics === 'off' ? 'off' : `/metrics (${server.metrics === 'key' ? 'read key' : 'open'})`;
  lines.push(`health: /healthz  readiness: /readyz  metrics: ${metrics}`);
  return lines;
}
