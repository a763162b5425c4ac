import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/** Runs only the queue consumers, so a deployment can scale them apart from the API. */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  new Logger('Bootstrap').log('SyncKairos worker consuming');
}

bootstrap().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
