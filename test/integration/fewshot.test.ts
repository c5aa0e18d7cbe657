import { describe, expect, it } from 'vitest';
import { episodeAccuracy } from '../../trainer/fewshot/episode-accuracy.ts';
import { sampleEpisodes } from '../../trainer/fewshot/episodes.ts';
import { fitLogistic, predictLogistic } from '../../trainer/fewshot/logistic.ts';
import { denseRepresentation, tfidfRepresentation } from '../../trainer/fewshot/representations.ts';
import { runEpisodes } from '../../trainer/fewshot/run-episodes.ts';
import { fitTfidf, sparseCosine } from '../../trainer/tasks/text/similarity/tfidf.ts';

/** 6 classes of 10 items; class c's items point along axis c with a little seeded noise, in 8 dimensions. */
function clusteredItems() {
  const labels = Int32Array.from({ length: 60 }, (_, i) => Math.floor(i / 10));
  let state = 7;
  const noise = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.4;
  const data = new Float32Array(60 * 8);
  labels.forEach((label, i) => {
    for (let d = 0; d < 8; d++) data[i * 8 + d] = (d === label ? 1 : 0) + noise();
  });
  return { labels, data };
}

describe('few-shot episodes', () => {
  const { labels, data } = clusteredItems();

  it('draw N classes, K + Q distinct items of each, the same for the same seed', () => {
    const plan = { ways: 5, shots: 3, queries: 4, episodes: 20, seed: 3 };
    const episodes = sampleEpisodes(labels, plan);
    expect(sampleEpisodes(labels, plan)).toEqual(episodes);
    expect(sampleEpisodes(labels, { ...plan, seed: 4 })).not.toEqual(episodes);
    for (const episode of episodes) {
      expect(new Set(episode.classes).size).toBe(5);
      expect(new Set([...episode.support, ...episode.query]).size).toBe(5 * 7);
      episode.support.forEach((item, i) =>
        expect(labels[item]).toBe(episode.classes[episode.supportLabels[i]]),
      );
      episode.query.forEach((item, i) => expect(labels[item]).toBe(episode.classes[episode.queryLabels[i]]));
      expect(episode.support).toHaveLength(15);
      expect(episode.query).toHaveLength(20);
    }
  });

  it('refuses a plan the classes cannot fill', () => {
    expect(() => sampleEpisodes(labels, { ways: 7, shots: 1, queries: 1, episodes: 1, seed: 1 })).toThrow(
      /7 classes of at least 2 items; 6 have/,
    );
    expect(() => sampleEpisodes(labels, { ways: 2, shots: 5, queries: 6, episodes: 1, seed: 1 })).toThrow(
      /at least 11 items/,
    );
  });

  it('classify clustered items right, with an interval per shot count', () => {
    const representation = denseRepresentation('axes', data, 8);
    const rows = runEpisodes(
      labels,
      [
        { representation, method: 'prototype' },
        { representation, method: 'logistic' },
      ],
      { ways: 5, shots: [1, 3], queries: 5, episodes: 10, seed: 1 },
    );
    for (const row of rows) {
      expect(row.accuracy['1'].n).toBe(10);
      expect(row.accuracy['3'].mean).toBe(1);
    }
  });
});

describe('logistic regression', () => {
  it('reaches the optimum of its convex objective (gradient near zero) and separates the classes', () => {
    const { labels, data } = clusteredItems();
    const rows = denseRepresentation('axes', data, 8).rows(Array.from(labels.keys()));
    const fit = fitLogistic(rows.data, 8, Array.from(labels), 6, { iterations: 2000 });
    expect(fit.gradientNorm).toBeLessThan(1e-6);
    labels.forEach((label, i) =>
      expect(predictLogistic(fit.model, rows.data.subarray(i * 8, i * 8 + 8))).toBe(label),
    );
  });

  it('leaves the bias unpenalised: on zero rows it learns the class frequencies', () => {
    // Rows carry nothing, so the optimum is softmax(b) = (2/3, 1/3): b0 - b1 = ln 2, whatever C is.
    const fit = fitLogistic(new Float32Array(6), 2, [0, 0, 1], 2, { iterations: 2000 });
    const { weights } = fit.model;
    expect(weights[2] - weights[5]).toBeCloseTo(Math.log(2), 6);
    expect(predictLogistic(fit.model, [0, 0])).toBe(0);
  });
});

describe('TF-IDF rows', () => {
  it('keep the sparse cosines in the dense columns of one episode', () => {
    const texts = ['a small dog barks', 'a large dog', 'the sea is salt water', 'salt and pepper'];
    const model = fitTfidf(texts, { analyzer: 'char_wb', ngramRange: [3, 5] });
    const rows = tfidfRepresentation('tfidf', model, texts).rows([0, 1, 2, 3]);
    const cosine = (a: number, b: number) => {
      let sum = 0;
      for (let d = 0; d < rows.dim; d++) sum += rows.data[a * rows.dim + d] * rows.data[b * rows.dim + d];
      return sum;
    };
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [0, 3],
    ]) {
      expect(cosine(a, b)).toBeCloseTo(sparseCosine(model.transform(texts[a]), model.transform(texts[b])), 6);
    }
    const episode = {
      classes: [0, 1],
      support: [0, 2],
      supportLabels: [0, 1],
      query: [1, 3],
      queryLabels: [0, 1],
    };
    expect(
      episodeAccuracy('prototype', episode, tfidfRepresentation('tfidf', model, texts).rows([0, 2, 1, 3])),
    ).toBe(1);
  });
});
