import { Controller, Get, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/auth.decorators';
import { ScrapeHooks } from './scrape-hooks';

/** GET /metrics, with the read-on-scrape gauges refreshed first. */
@Public()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly hooks: ScrapeHooks) {
    super();
  }

  @Get()
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    await this.hooks.run();
    return super.index(response);
  }
}
