import type { OpenAPIObject } from '@nestjs/swagger';
import fastJson from 'fast-json-stringify';
import type { SessionView } from '@synckairos/clock';

type Schema = Record<string, unknown>;
export type Stringify = (value: unknown) => string;

const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);
/** The nested objects whose fields are compiled too; any other nested value is JSON.stringify-ed. */
const NESTED = new Set(['ParticipantStateDto', 'GroupStateDto']);

/**
 * A JSON Schema for fast-json-stringify from an OpenAPI component schema, made to write exactly
 * what JSON.stringify would: every object keeps the fields the schema does not list, nothing is
 * required (a missing field is left out, never an error), integers are plain numbers (never
 * rounded), and a nested object or array other than the participants and groups is written as
 * it is. Only the fields' names and scalar types are compiled.
 */
function compiled(schemas: Record<string, Schema>, name: string): Schema {
  const source = schemas[name];
  if (!source) throw new Error(`the OpenAPI document has no schema ${name}`);
  const properties: Record<string, Schema> = {};
  for (const [key, value] of Object.entries((source.properties ?? {}) as Record<string, Schema>)) {
    properties[key] = property(schemas, value);
  }
  return { type: 'object', additionalProperties: true, properties };
}

function property(schemas: Record<string, Schema>, p: Schema): Schema {
  const type = p.type as string | undefined;
  if (type && SCALARS.has(type) && !p.enum) {
    const t = type === 'integer' ? 'number' : type;
    return { type: p.nullable === true ? [t, 'null'] : t };
  }
  const ref = ((p.items as Schema | undefined)?.$ref as string | undefined)?.split('/').at(-1);
  if (type === 'array' && ref && NESTED.has(ref) && p.nullable !== true) {
    return { type: 'array', items: compiled(schemas, ref) };
  }
  if (typeof p.type === 'string' && p.enum && p.nullable !== true) return { type: 'string' };
  return {};
}

/**
 * The `{ data: state }` answer of the state endpoints. Its one field is the answer, so
 * JSON.stringify (Express's res.json, a test) writes the same document as the compiled
 * serializer that JsonReplyAdapter uses for it.
 */
export class StateAnswer<V extends SessionView = SessionView> {
  constructor(readonly data: V) {}
}

/** The serializer of StateAnswer, compiled from the document's SwitchStateDto (a state, and what a switch adds). */
export function compileStateSerializer(document: OpenAPIObject): Stringify {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  return fastJson({
    type: 'object',
    additionalProperties: true,
    properties: { data: compiled(schemas, 'SwitchStateDto') },
  }) as Stringify;
}
