/**
 * Text normalisation and tokenisation shared by trainer and edge. Any change here changes model inputs,
 * so it must come with a new featurizer version and new golden files.
 */

// CJK scripts have no spaces between words: each character becomes its own token. Script_Extensions
// also catches marks shared by Hiragana and Katakana such as the long-vowel mark ー.
const CJK = String.raw`\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}`;
const TOKEN = new RegExp(
  String.raw`(?=\p{L})[${CJK}]|(?:(?![${CJK}])[\p{L}\p{M}\p{N}])+|\p{Extended_Pictographic}`,
  'gu',
);

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Splits normalised text into tokens: runs of letters, marks and digits; single CJK characters; single
 * emoji. Punctuation and whitespace separate tokens and are dropped. Long tokens are cut to
 * `maxTokenChars` code points and at most `maxTokens` tokens are kept, which bounds the work per text.
 */
export function tokenize(text: string, maxTokens: number, maxTokenChars: number): string[] {
  const tokens: string[] = [];
  for (const match of normalizeText(text).matchAll(TOKEN)) {
    if (tokens.length >= maxTokens) break;
    const token = match[0];
    tokens.push(token.length > maxTokenChars ? truncateCodePoints(token, maxTokenChars) : token);
  }
  return tokens;
}

function truncateCodePoints(token: string, max: number): string {
  const points = Array.from(token);
  return points.length > max ? points.slice(0, max).join('') : token;
}
