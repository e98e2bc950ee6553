-- Promotion ids are ASCII and compared byte for byte (36 bytes in each index, memcmp instead of a Unicode
-- collation), as on the write side.
ALTER TABLE coupons MODIFY promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE active_promotions MODIFY promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE projection_positions MODIFY promotion_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
