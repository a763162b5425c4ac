import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp, listenInternalPort } from './app.setup';
import { Env } from './config/env.validation';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(ConfigService<Env, true>);
  const port = config.get('PORT', { infer: true });
  const logger = new Logger('Bootstrap');
  const deadline = config.get('SHUTDOWN_TIMEOUT_MS', { infer: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // enableShutdownHooks runs the graceful stop; this only bounds it.
      setTimeout(() => {
        logger.error(`Shutdown took longer than ${deadline} ms; exiting with work unfinished`);
        process.exit(1);
      }, deadline).unref();
    });
  }
  await app.listen(port, config.get('HOST', { infer: true }));
  logger.log(`SyncKairos listening on port ${port}`);
  if (await listenInternalPort(app)) {
    const internal = config.get('INTERNAL_PORT', { infer: true });
    logger.log(`Internal endpoints (metrics, details, docs, queues) on port ${internal} only`);
  }
}

bootstrap().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
