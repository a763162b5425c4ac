import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';

type Handler = (...args: unknown[]) => unknown;
type ControllerClass = abstract new (...args: never[]) => unknown;

export interface NestRoute {
  method: string;
  /** Express-style, e.g. `/v1/sessions/:id/switch`. */
  path: string;
  controller: ControllerClass;
  handler: Handler;
}

const join = (...parts: (string | undefined)[]) =>
  `/${parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Every HTTP handler of every controller Nest registered in this application. */
export function nestRoutes(app: INestApplication): NestRoute[] {
  const scanner = new MetadataScanner();
  const routes: NestRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as ControllerClass | null;
      if (!controller) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, Handler>)[name];
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        for (const prefix of prefixes)
          for (const path of [paths].flat())
            routes.push({ method, path: join(prefix, path), controller, handler });
      }
    }
  }
  return routes;
}

/** The routes Express actually holds (method and path), to check the Nest table misses none. */
export function expressRoutes(app: INestApplication): { method: string; path: string }[] {
  const router = (
    app.getHttpAdapter().getInstance() as {
      router: {
        stack: { route?: { path: string | string[]; methods: Record<string, boolean> } }[];
      };
    }
  ).router;
  return router.stack.flatMap((layer) =>
    layer.route
      ? [layer.route.path].flat().flatMap((path) =>
          Object.keys(layer.route?.methods ?? {})
            .filter((m) => m !== '_all')
            .map((m) => ({ method: m.toUpperCase(), path })),
        )
      : [],
  );
}
