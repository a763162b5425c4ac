import { Module } from '@nestjs/common';
import { TimeController } from './time.controller';
import { StateModule } from '../state/state.module';

@Module({
  imports: [StateModule],
  controllers: [TimeController],
})
export class TimeModule {}
