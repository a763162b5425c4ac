import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SessionView } from '../../clock/session-view';

/** One row per state change (per version, and the deletion). */
@Entity({ name: 'sync_events' })
@Index('uq_sync_events_session_version', ['session_id', 'version'], { unique: true })
@Index('ix_sync_events_type_time', ['event_type', 'occurred_at'])
export class SyncEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  session_id!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  event_type!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  participant_id!: string | null;

  @Column({ type: 'timestamptz' })
  occurred_at!: Date;

  /** The session as clients saw it at that instant (contract section 2). */
  @Column({ type: 'jsonb' })
  state_snapshot!: SessionView;

  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recorded_at!: Date;
}
