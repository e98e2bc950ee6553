-- With several command processes writing (one per partition), store positions no longer follow commit order, so the
-- relay's one position ("everything up to here was sent") could skip an event committed late at a lower position.
-- Each owner now relays its promotions by (promotion, sequence): sequences are dense per promotion and written by
-- one owner at a time (the fence), so a cursor per promotion says exactly what was sent. A cursor is saved after the
-- broker accepted its events and only ever moves forward; after a crash or a failover the new owner resends from it
-- (the projection skips what it has).
CREATE TABLE relay_cursors (
  promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  sequence BIGINT NOT NULL
) ENGINE=InnoDB;

-- Up to the old relay position everything was sent, and positions followed commit order (one writer): per promotion
-- that is a prefix of its sequences.
INSERT INTO relay_cursors (promotion_id, sequence)
  SELECT promotion_id, MAX(sequence) FROM events
  WHERE position <= (SELECT position FROM relay_position WHERE id = 1)
  GROUP BY promotion_id;

DROP TABLE relay_position;
