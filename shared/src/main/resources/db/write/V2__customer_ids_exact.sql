-- Customer ids are compared byte for byte: 'Alice', 'alice' and 'alice ' are three customers. Under the default
-- case-insensitive, pad-space collation the unique (promotion, customer) key called them one, so the second one's
-- grab, accepted in memory, failed its whole group commit (MariaDB collation; MySQL 8 would need utf8mb4_0900_bin).
ALTER TABLE events MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
