import type { OpenAPIObject } from '@nestjs/swagger';
import { normalizeDocument, withFreshExampleIds } from './openapi-normalize';

const doc = (): OpenAPIObject =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/open': { get: { responses: { 200: { description: 'ok' } } } },
      '/closed': {
        post: {
          security: [{ bearer: [] }],
          parameters: [{ name: 'n', in: 'query', schema: { type: 'number' } }],
          responses: { 200: { description: 'ok' } },
        },
      },
    },
    components: {
      schemas: {
        S: {
          type: 'object',
          properties: {
            n: { type: 'number', example: 1 },
            who: { type: 'object', nullable: true, example: 'white' },
            meta: { type: 'object', nullable: true, example: { a: 1 } },
            free: { type: 'object', example: { type: 'number' } },
          },
        },
      },
    },
  }) as unknown as OpenAPIObject;

describe('normalizeDocument', () => {
  it('integers, real nullable types, and open operations that say so', () => {
    const out = normalizeDocument(doc()) as any;
    const p = out.components.schemas.S.properties;
    expect(p.n.type).toBe('integer');
    expect(p.who.type).toBe('string');
    expect(p.meta).toMatchObject({ type: 'object', additionalProperties: true });
    expect(p.free.example).toEqual({ type: 'number' }); // examples are data, not schemas
    expect(out.paths['/open'].get.security).toEqual([]);
    expect(out.paths['/closed'].post.security).toEqual([{ bearer: [] }]);
    expect(out.paths['/closed'].post.parameters[0].schema.type).toBe('integer');
  });

  it('every copy gets a fresh example id, the document itself keeps its own', () => {
    const d = doc();
    (d.components!.schemas!.S as any).properties.id = { type: 'string', example: 'game-42' };
    const a = JSON.stringify(withFreshExampleIds(d, 'game-42'));
    const b = JSON.stringify(withFreshExampleIds(d, 'game-42'));
    expect(a).not.toContain('game-42');
    expect(a).not.toBe(b);
    expect(JSON.stringify(d)).toContain('game-42');
  });
});
