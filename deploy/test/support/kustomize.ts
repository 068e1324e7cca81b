import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { k8sDir } from './paths';
import { parseYamlDocs, type Doc, type ParsedFile } from './yaml-files';

/** kubectl (with its built-in kustomize) when it is on PATH; null otherwise. */
export function findKubectl(): string | null {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return probe.status === 0 ? 'kubectl' : null;
}

export function renderOverlay(kubectl: string, overlay: string): Doc[] {
  const dir = path.join(k8sDir, 'overlays', overlay);
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 32 << 20 });
  return parseYamlDocs(out, `kubectl kustomize ${dir}`);
}

function isKustomization(doc: Doc): boolean {
  return doc.kind === 'Kustomization' || doc.kind === 'Component';
}

/**
 * The files kustomize reads as patches (partial objects), named by the kustomization files that
 * list them: they parse, but are not complete resources to validate on their own.
 */
export function patchFiles(files: ParsedFile[]): Set<string> {
  const patches = new Set<string>();
  for (const { file, docs } of files) {
    for (const doc of docs.filter(isKustomization)) {
      const entries = [
        ...((doc.patches as { path?: string }[] | undefined) ?? []),
        ...((doc.patchesStrategicMerge as string[] | undefined) ?? []).map((p) => ({ path: p })),
      ];
      for (const entry of entries) {
        if (entry.path) patches.add(path.resolve(path.dirname(file), entry.path));
      }
    }
  }
  return patches;
}

/** The complete Kubernetes objects among raw manifest files (no kustomizations, no patches). */
export function rawResources(files: ParsedFile[]): Doc[] {
  const patches = patchFiles(files);
  return files
    .filter(({ file }) => !patches.has(file))
    .flatMap(({ docs }) => docs.filter((doc) => !isKustomization(doc)));
}
