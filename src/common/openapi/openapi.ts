import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVER_VERSION } from '../../time/time.controller';

/** The OpenAPI document, built from the controllers' and DTOs' decorators: /api-docs and /api-docs.json. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('SyncKairos')
    .setDescription(
      'Server-authoritative clocks for sessions that many clients watch at once. ' +
        'Every state carries live values computed at server_time_ms; watch changes over Socket.IO ' +
        '(session:state, session:timeout, session:deleted) on the default path /socket.io.',
    )
    .setVersion(SERVER_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key or a JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api-docs', app, document, { jsonDocumentUrl: 'api-docs.json' });
}
