import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ClockState } from '@synckairos/clock';

/** One row per session: its newest snapshot and summary. Never goes back to an older version. */
@Entity({ name: 'sync_sessions' })
export class SyncSession {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  session_id!: string;

  @Column({ type: 'varchar', length: 32 })
  sync_mode!: string;

  /** The status as of last_version (final once the session ended), or `deleted`. */
  @Column({ type: 'varchar', length: 16 })
  final_status!: string;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  started_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completed_at!: Date | null;

  @Column({ type: 'integer' })
  participant_count!: number;

  @Column({ type: 'integer' })
  last_version!: number;

  /** The stored state itself (anchors included), from which Redis can be refilled. */
  @Column({ type: 'jsonb' })
  last_state!: ClockState;

  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
