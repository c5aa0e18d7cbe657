import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { EmbedResponseSchema } from '../../edge/schemas.ts';
import { type PublishedModel, publishTinyModel, temporaryDir } from '../http/published-model.ts';

// The official client, unchanged, pointed at a real server: what RAG frameworks built on it send.
let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let server: RunningServer;
let tiny: PublishedModel;
let openai: OpenAI;
const TEXTS = ['red running shoes', 'a small electric city car', 'green tea with jasmine flowers'];

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-openai-');
  tiny = await publishTinyModel(artifacts.path, { name: 'tiny', version: 'v1', dim: 8, seed: 1 });
  server = await startNodeServer({ port: 0, artifactsDir: artifacts.path });
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-needed-here', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await tiny?.embedder.release();
  await artifacts?.remove();
});

async function embedOurWay(inputs: string[]): Promise<number[][]> {
  const response = await fetch(`${server.url}/v1/embed`, {
    method: 'POST',
    body: JSON.stringify({ inputs, model: 'tiny' }),
  });
  return EmbedResponseSchema.parse(await response.json()).embeddings;
}

describe('POST /v1/embeddings with the official openai client', () => {
  it('base64 (the client default, decoded by it) and float give the very vectors /v1/embed gives', async () => {
    const expected = await embedOurWay(TEXTS);
    const base64 = await openai.embeddings.create({ model: 'tiny', input: TEXTS });
    const float = await openai.embeddings.create({ model: 'tiny', input: TEXTS, encoding_format: 'float' });
    for (const answer of [base64, float]) {
      expect(answer.object).toBe('list');
      expect(answer.model).toBe('tiny');
      expect(answer.data.map((d) => [d.object, d.index])).toEqual(TEXTS.map((_, i) => ['embedding', i]));
      expect(answer.data.map((d) => d.embedding)).toEqual(expected);
    }
  });

  it('takes a single string and counts the tokens the model read: "red running shoes" is 3', async () => {
    const answer = await openai.embeddings.create({ model: 'tiny', input: 'red running shoes' });
    expect(answer.data).toHaveLength(1);
    expect(answer.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const two = await openai.embeddings.create({
      model: 'tiny',
      input: ['red running shoes', 'Tea, green!'],
    });
    expect(two.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });

  it("accepts dimensions equal to the model's and refuses truncation with a 400 naming dimensions", async () => {
    const same = await openai.embeddings.create({ model: 'tiny', input: 'tea', dimensions: 8 });
    expect(same.data[0].embedding).toHaveLength(8);
    const refused = await openai.embeddings
      .create({ model: 'tiny', input: 'tea', dimensions: 4 })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ type: 'invalid_request_error', param: 'dimensions' });
    expect(refused.message).toMatch(/not trained for truncation/);
  });

  it("answers errors in OpenAI's shape on this route only, naming the field", async () => {
    const unknown = await openai.embeddings.create({ model: 'nope', input: 'tea' }).catch((e) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error).toEqual({
      message: 'model: no model named "nope" is loaded',
      type: 'not_found_error',
      param: 'model',
      code: 'model_not_found',
    });
    const tokens = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny', input: [[1, 2, 3]] }),
    });
    expect(tokens.status).toBe(400);
    expect((await tokens.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'input' });
    const ours = await fetch(`${server.url}/v1/embed`, { method: 'POST', body: '{' });
    expect(await ours.json()).toEqual({
      error: { code: 'invalid_json', message: 'the request body is not valid JSON' },
    });
  });
});
