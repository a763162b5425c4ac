import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SERVER_VERSION } from '../../time/time.controller';
import { buildAsyncApi } from './asyncapi';
import { operationId } from './operation-ids';
import { normalizeDocument, withFreshExampleIds } from './openapi-normalize';

/** The id the DTOs' examples use; each copy of the docs shows a fresh one instead. */
export const EXAMPLE_SESSION_ID = 'game-42';

/** The OpenAPI document, built from the controllers' and DTOs' decorators. */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SyncKairos')
    .setDescription(
      'Server-authoritative clocks for sessions that many clients watch at once. ' +
        'Every state carries live values computed at server_time_ms; watch changes over Socket.IO ' +
        '(session:state, session:timeout, session:deleted) on the default path /socket.io: ' +
        'the events are described at /asyncapi.json.',
    )
    .setVersion(SERVER_VERSION)
    .addServer('/', 'The service that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key or a JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .build();
  config.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
  });
  return normalizeDocument(document);
}

/**
 * /api-docs and /api-docs.json (OpenAPI, REST) and /asyncapi.json (AsyncAPI, Socket.IO), open
 * like the rest of the docs.
 */
export function setUpOpenApi(app: INestApplication): void {
  const document = buildOpenApi(app);
  SwaggerModule.setup('api-docs', app, document, {
    jsonDocumentUrl: 'api-docs.json',
    patchDocumentOnRequest: (_req, _res, doc: OpenAPIObject) =>
      withFreshExampleIds(doc, EXAMPLE_SESSION_ID),
  });
  app.getHttpAdapter().get('/asyncapi.json', (req: Request, res: Response) => {
    res.json(
      buildAsyncApi(document, req.get('host') ?? 'localhost:3000', req.protocol === 'https'),
    );
  });
}
