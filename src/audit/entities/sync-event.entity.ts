import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ClockState, SessionView } from '@synckairos/clock';

/** One row per state change (per version, and the deletion). */
@Entity({ name: 'sync_events' })
@Index('uq_sync_events_session_version', ['session_id', 'version'], { unique: true })
@Index('ix_sync_events_type_time', ['event_type', 'occurred_at'])
@Check('ck_sync_events_state', 'state IS NOT NULL OR state_snapshot IS NOT NULL')
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

  /**
   * The stored state right after the change (anchors included); the snapshot clients saw is
   * computed from it and occurred_at. Null on rows written before it was recorded.
   */
  @Column({ type: 'jsonb', nullable: true })
  state!: ClockState | null;

  /** The session as clients saw it at that instant, on rows written before `state` was kept. */
  @Column({ type: 'jsonb', nullable: true })
  state_snapshot!: SessionView | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recorded_at!: Date;
}
