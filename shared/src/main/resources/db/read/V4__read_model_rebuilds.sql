-- Rebuilds of the read model (SPEC §8), one row each. `running` is 1 while a rebuild runs and NULL after: its unique
-- key lets one run at a time across every event process. The running one moves heartbeat_at (the database's clock)
-- each second; one whose heartbeat stopped for 10 s (its process died) is marked failed by the next process that
-- looks, and its shadow tables dropped.
CREATE TABLE read_model_rebuilds (
  rebuild_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  running TINYINT NULL,
  events_applied BIGINT NOT NULL DEFAULT 0,
  events_total BIGINT NOT NULL DEFAULT 0,
  events_per_second DOUBLE NOT NULL DEFAULT 0,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL,
  heartbeat_at DATETIME(3) NOT NULL,
  error VARCHAR(1000) NULL,
  UNIQUE KEY uk_read_model_rebuilds_running (running),
  KEY idx_read_model_rebuilds_started (started_at)
) ENGINE=InnoDB;
