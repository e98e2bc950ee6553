-- Promotions between their start and finish events, with the coupons left.
CREATE TABLE active_promotions (
  promotion_id CHAR(36) NOT NULL PRIMARY KEY,
  number_of_coupons INT NOT NULL,
  remaining_coupons INT NOT NULL,
  discount DOUBLE NOT NULL,
  publish_time DATETIME(3) NOT NULL,
  finish_time DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Coupons by customer (the query API's key).
CREATE TABLE coupons (
  customer_id VARCHAR(64) NOT NULL,
  promotion_id CHAR(36) NOT NULL,
  sequence BIGINT NOT NULL,
  discount DOUBLE NOT NULL,
  grabbed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (customer_id, promotion_id),
  KEY idx_coupons_promotion (promotion_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The last event sequence applied per promotion: what makes the projection idempotent.
CREATE TABLE projection_positions (
  promotion_id CHAR(36) NOT NULL PRIMARY KEY,
  last_sequence BIGINT NOT NULL
) ENGINE=InnoDB;
