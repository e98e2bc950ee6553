-- Customer ids are compared byte for byte, as on the write side: 'Bob' must not read 'bob''s coupons, and two
-- customers differing only in case must both get their coupon projected (MariaDB collation).
ALTER TABLE coupons MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
