import type { OpenAPIObject } from '@nestjs/swagger';

type Node = Record<string, unknown>;

/**
 * The OpenAPI 3.0 component schemas as JSON Schema (what AsyncAPI's default schema format is):
 * `nullable` becomes a `null` alternative and `example` becomes `examples`.
 */
export function asJsonSchemas(openapi: OpenAPIObject): Record<string, Node> {
  const schemas = JSON.parse(JSON.stringify(openapi.components?.schemas ?? {})) as Record<
    string,
    Node
  >;
  for (const schema of Object.values(schemas)) convert(schema);
  return schemas;
}

function convert(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(convert);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  if ('example' in n) {
    n.examples = [n.example];
    delete n.example;
  }
  for (const [key, value] of Object.entries(n)) if (key !== 'examples') convert(value);
  if (n.nullable !== true) return;
  delete n.nullable;
  if (typeof n.type === 'string') {
    n.type = [n.type, 'null'];
    if (Array.isArray(n.enum)) n.enum = [...(n.enum as unknown[]), null];
    return;
  }
  // A nullable reference (`allOf: [{ $ref }]`, or `$ref`): the schema, or null.
  const schema = { ...n };
  for (const key of Object.keys(n)) delete n[key];
  n.anyOf = [schema, { type: 'null' }];
}
