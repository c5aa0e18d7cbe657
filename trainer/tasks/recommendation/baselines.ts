/**
 * The two baselines every recommendation run is judged against, learned from the same training positives
 * as the model. Both score every item for a user; higher is recommended first.
 */

/** Most popular: an item's score is how many training positives it has, the same for every user. */
export function popularityScores(train: readonly Int32Array[], items: number): Float32Array {
  const counts = new Float32Array(items);
  for (const positives of train) for (const item of positives) counts[item]++;
  return counts;
}

/**
 * Item-kNN by co-occurrence cosine (Sarwar et al. 2001; Deshpande & Karypis 2004), on binary training
 * positives: sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i| |U_j|), where U_i is the set of users with a positive on
 * i (sklearn's cosine_similarity of the user-item matrix's item columns). A user's score for item j is
 * the sum of sim(i, j) over the items i of their history, with every neighbour kept. It is computed
 * through the users who share an item with the history, never as an items x items matrix.
 */
export interface ItemKnn {
  scores(history: ArrayLike<number>): Float64Array;
}

export function itemKnn(train: readonly Int32Array[], items: number): ItemKnn {
  const usersOf: number[][] = Array.from({ length: items }, () => []);
  // A user's distinct items: co-occurrence counts users, not repeated interactions.
  const itemsOf = train.map((positives) => Int32Array.from(new Set(positives)));
  itemsOf.forEach((own, user) => {
    for (const item of own) usersOf[item].push(user);
  });
  const inverseRoot = Float64Array.from(usersOf, (users) =>
    users.length > 0 ? 1 / Math.sqrt(users.length) : 0,
  );

  return {
    scores(history) {
      // sum_{i in H} sim(i, j) = 1/sqrt|U_j| * sum_v [j in items(v)] * sum_{i in H, v in U_i} 1/sqrt|U_i|
      const userWeight = new Float64Array(train.length);
      for (const item of new Set(Array.from(history))) {
        for (const user of usersOf[item]) userWeight[user] += inverseRoot[item];
      }
      const scores = new Float64Array(items);
      userWeight.forEach((weight, user) => {
        if (weight === 0) return;
        for (const item of itemsOf[user]) scores[item] += weight;
      });
      for (let item = 0; item < items; item++) scores[item] *= inverseRoot[item];
      return scores;
    },
  };
}
