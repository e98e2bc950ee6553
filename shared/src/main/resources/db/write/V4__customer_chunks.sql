-- Snapshots for restart: the customers served by a promotion's grabs, in chunks of consecutive sequences
-- (first_sequence .. first_sequence + grabs - 1), written by the command side after those grabs committed.
-- A restart reads these blobs instead of a million index entries, then only the events after the last chunk.
-- The events stay the truth: a chunk is derived data, checked on read, and a missing one only means its grabs
-- are read from the events. customers: per customer its UTF-8 length in two bytes, then its bytes.
CREATE TABLE customer_chunks (
  promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  first_sequence BIGINT NOT NULL,
  grabs INT NOT NULL,
  customers MEDIUMBLOB NOT NULL,
  PRIMARY KEY (promotion_id, first_sequence)
) ENGINE=InnoDB;
