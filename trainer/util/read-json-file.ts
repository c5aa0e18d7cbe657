import { readFileSync } from 'node:fs';

/**
 * Reads a JSON file for a person to fix when it is wrong: a missing file or a syntax error becomes one
 * message naming the file, and for a syntax error its line and column.
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    if (!position) throw new Error(`${path}: invalid JSON: ${message}`);
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new Error(
      `${path}:${line}:${column}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
    );
  }
}
