-- Ids are ASCII and compared byte for byte: a UUID is 36 bytes in every index instead of up to 144 (utf8mb4), and
-- comparing two is a memcmp instead of a Unicode collation (it was the most expensive comparison in the insert
-- path of a flash sale). The unique index on event_id goes: an event is identified by (promotion, sequence),
-- which stays unique, and event ids are time-ordered UUIDs drawn by the single writer; the index cost an extra
-- unique check and B-tree insert per grab and no query used it.
ALTER TABLE events
  DROP INDEX uk_events_event_id,
  MODIFY event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  MODIFY promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  MODIFY type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
