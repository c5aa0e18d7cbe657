/**
 * /docs: the OpenAPI document as one plain HTML page. It is rendered here, with no script, style sheet
 * or font from anywhere (the API's CSP allows nothing), so it works offline and behind any firewall.
 */

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { description?: string; content?: Record<string, Media> }>;
}
interface Media {
  schema?: unknown;
  example?: unknown;
}
/** The parts of an OpenAPI 3.1 document the page shows. */
interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Pretty JSON with every component reference made a link to that component on the page. */
function json(value: unknown): string {
  const text = escapeHtml(JSON.stringify(value, null, 2));
  const linked = text.replace(
    /&quot;#\/components\/schemas\/([\w.-]+)&quot;/g,
    (_, name: string) => `&quot;<a href="#schema-${name}">#/components/schemas/${name}</a>&quot;`,
  );
  return `<pre>${linked}</pre>`;
}

function media(content: Record<string, Media> | undefined): string {
  return Object.entries(content ?? {})
    .map(
      ([type, { schema, example }]) =>
        `<p>${escapeHtml(type)}</p>${schema ? json(schema) : ''}${
          example === undefined ? '' : `<p>Example</p>${json(example)}`
        }`,
    )
    .join('');
}

function operation(method: string, path: string, op: Operation): string {
  const id = op.operationId ?? `${method}-${path}`;
  const parameters = op.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema ?? {}))}</code></td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const body = op.requestBody ? `<h4>Request body</h4>${media(op.requestBody.content)}` : '';
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<details><summary><strong>${status}</strong> ${escapeHtml(r.description ?? '')}</summary>${media(r.content)}</details>`,
    )
    .join('');
  return (
    `<section id="${escapeHtml(id)}"><h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h3>` +
    `<p>${escapeHtml(op.summary ?? '')}</p>${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}` +
    `<p>operationId <code>${escapeHtml(id)}</code>${op.security?.length ? '; needs an API key (Authorization: Bearer &lt;key&gt;)' : ''}</p>` +
    `${parameters}${body}<h4>Responses</h4>${responses}</section>`
  );
}

/** `generated`: what OpenAPIHono's generator made, read for the parts the page shows. */
export function renderDocsPage(generated: object): string {
  const document = generated as OpenApiDocument;
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [
    ...(document.tags ?? []),
    ...[...new Set(operations.flatMap(({ op }) => op.tags ?? ['other']))]
      .filter((name) => !document.tags?.some((t) => t.name === name))
      .map((name) => ({ name, description: '' })),
  ];
  const sections = tags
    .map(({ name, description }) => {
      const ops = operations.filter(({ op }) => (op.tags ?? ['other']).includes(name));
      if (ops.length === 0) return '';
      return `<h2 id="tag-${escapeHtml(name)}">${escapeHtml(name)}</h2><p>${escapeHtml(description ?? '')}</p>${ops
        .map(({ method, path, op }) => operation(method, path, op))
        .join('')}`;
    })
    .join('');
  const contents = operations
    .map(
      ({ method, path, op }) =>
        `<li><a href="#${escapeHtml(op.operationId ?? `${method}-${path}`)}"><code>${method.toUpperCase()} ${escapeHtml(path)}</code></a> ${escapeHtml(op.summary ?? '')}</li>`,
    )
    .join('');
  const schemas = Object.entries(document.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${json(schema)}</section>`,
    )
    .join('');
  const { title, version, description } = document.info;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} API</title></head><body>` +
    `<h1>${escapeHtml(title)} API <small>${escapeHtml(version)}</small></h1><p>${escapeHtml(description ?? '')}</p>` +
    '<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>.</p>' +
    `<ul>${contents}</ul>${sections}<h2 id="schemas">Schemas</h2>${schemas}</body></html>`
  );
}
