import type { OpenAPIObject } from '@nestjs/swagger';

type Node = Record<string, unknown>;

/**
 * Fixes what the decorators cannot say or a DTO forgot, so that generators read the document
 * right: every number of this API is an integer (times in ms, versions, counts); a nullable
 * field without a type of its own gets the type of its example (`string | null`, not `object`;
 * a free-form object says so);
 * an operation that documents no security is open (`security: []`).
 */
export function normalizeDocument(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {})) walk(schema);
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item as Node)) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const operation = op as Node;
      if (operation.security === undefined) operation.security = [];
      walk(operation);
    }
  }
  return document;
}

function walk(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(walk);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  if (n.type === 'number') n.type = 'integer';
  if (n.nullable === true && n.type === 'object' && n.properties === undefined) {
    const inferred = typeOfExample(n.example);
    if (inferred !== null) n.type = inferred;
    else if (n.additionalProperties === undefined) n.additionalProperties = true;
  }
  for (const [key, value] of Object.entries(n)) {
    if (key !== 'example' && key !== 'examples') walk(value);
  }
}

function typeOfExample(example: unknown): string | null {
  if (typeof example === 'string') return 'string';
  if (typeof example === 'number') return Number.isInteger(example) ? 'integer' : 'number';
  if (typeof example === 'boolean') return 'boolean';
  return null;
}

/**
 * A copy of the document whose example session ids are fresh: ids stay taken after a delete,
 * so a fixed example would fail the second time someone tries it.
 */
export function withFreshExampleIds(document: OpenAPIObject, exampleId: string): OpenAPIObject {
  const fresh = `game-${Math.random().toString(36).slice(2, 10)}`;
  return JSON.parse(JSON.stringify(document).split(exampleId).join(fresh)) as OpenAPIObject;
}
