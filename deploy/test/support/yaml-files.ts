import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Doc = Record<string, unknown>;

export interface ParsedFile {
  file: string;
  docs: Doc[];
}

/** Every *.yaml / *.yml below dir, sorted. */
export function yamlFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(dir, name))
    .sort();
}

/** Parses a (multi-document) YAML text; throws with the first parse error, naming the source. */
export function parseYamlDocs(text: string, source: string): Doc[] {
  return parseAllDocuments(text, { merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((value): value is Doc => typeof value === 'object' && value !== null);
}

export function parseYamlFile(file: string): ParsedFile {
  return { file, docs: parseYamlDocs(fs.readFileSync(file, 'utf8'), file) };
}
