/** The README's fenced blocks, for the tests that run them as a reader would (tests/client/readme*.test.ts). */
import { readFileSync } from 'node:fs';

const README = readFileSync('README.md', 'utf8');

/** The first fenced block of `language` after `heading`. */
export function blockAfter(heading: string, language: string): string {
  const section = README.slice(README.indexOf(heading));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match) throw new Error(`no ${language} block after ${heading}`);
  return match[1]!;
}
