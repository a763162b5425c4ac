import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller';

/** The live demo page (GET /demo): a clock of any mode, driven with the SDK in the browser. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
