-- Promotions map to a fixed number of partitions (SECKILL_PARTITIONS); each partition's owner is leased here, by
-- the database's clock. epoch goes up by one at every claim; every append checks, in its own transaction, that its
-- partition's epoch is still the one it claimed (the fence, SPEC I9), so a stale owner commits nothing. The rows are
-- made by the first command process that starts (one per partition), and writer_epoch records, on every event,
-- the epoch it was written under.
CREATE TABLE partition_leases (
  partition_id INT NOT NULL PRIMARY KEY,
  epoch BIGINT NOT NULL,
  owner_node VARCHAR(64) NULL,
  owner_incarnation CHAR(36) NULL,
  lease_until DATETIME(6) NULL,
  claimed_at DATETIME(6) NULL
) ENGINE=InnoDB;

ALTER TABLE events ADD COLUMN writer_epoch BIGINT NOT NULL DEFAULT 0;
