import type { OpenAPIObject } from '@nestjs/swagger';
import { asJsonSchemas } from './json-schema';

const doc = (schemas: Record<string, unknown>) =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {},
    components: { schemas },
  }) as OpenAPIObject;

describe('asJsonSchemas', () => {
  it('turns nullable into a null alternative, examples into a list', () => {
    const out = asJsonSchemas(
      doc({
        S: {
          type: 'object',
          properties: {
            a: { type: 'integer', nullable: true, example: 3 },
            b: { type: 'string', enum: ['x', 'y'], nullable: true },
            c: { allOf: [{ $ref: '#/components/schemas/T' }], nullable: true },
            d: { type: 'string', example: 'w' },
          },
        },
      }),
    );
    expect(out.S.properties).toEqual({
      a: { type: ['integer', 'null'], examples: [3] },
      b: { type: ['string', 'null'], enum: ['x', 'y', null] },
      c: { anyOf: [{ allOf: [{ $ref: '#/components/schemas/T' }] }, { type: 'null' }] },
      d: { type: 'string', examples: ['w'] },
    });
  });

  it('leaves the OpenAPI document as it was', () => {
    const schemas = { S: { type: 'integer', nullable: true } };
    asJsonSchemas(doc(schemas));
    expect(schemas.S).toEqual({ type: 'integer', nullable: true });
  });
});
