import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from './env.validation';

/**
 * The one place that reads the environment. `overrides` lets a test (or a tool) run an
 * instance with other settings in the same process; each instance gets its own typed,
 * validated copy, and a bad variable stops the boot with a message naming it.
 */
export function configModule(overrides: Record<string, string> = {}): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    ignoreEnvFile: true,
    load: [() => ({ ...validateEnv({ ...process.env, ...overrides }) })],
  });
}
