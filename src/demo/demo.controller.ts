import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { DEMO_CSP, demoFiles } from './demo-assets';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The live demo page at /demo: static files built with the SDK's browser bundle. It holds no
 * credentials of its own; with authentication on, the page asks for a token.
 */
@ApiExcludeController()
@Public()
@Controller('demo')
export class DemoController {
  private readonly files = demoFiles();

  @Get()
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, name: string): void {
    if (!Object.hasOwn(this.files, name)) throw new NotFoundException(`no such file: ${name}`);
    const path = this.files[name];
    if (path === null) {
      throw new DomainError('UNAVAILABLE', 'the SDK bundle is not built: run npm run build');
    }
    res.setHeader('Content-Security-Policy', DEMO_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type(TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream');
    res.sendFile(path);
  }
}
