-- Promotions as the admin defines them; status is moved on by the command side in the same transaction
-- as the PromotionStart / PromotionFinish event. updated_at (DB clock) lets the command side see changes.
CREATE TABLE promotions (
  promotion_id CHAR(36) NOT NULL PRIMARY KEY,
  number_of_coupons INT NOT NULL,
  discount DOUBLE NOT NULL,
  publish_time DATETIME(3) NOT NULL,
  finish_time DATETIME(3) NOT NULL,
  status VARCHAR(16) NOT NULL,
  version INT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_promotions_updated_at (updated_at),
  KEY idx_promotions_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The event store, and the outbox the relay reads in position order.
CREATE TABLE events (
  position BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id CHAR(36) NOT NULL,
  promotion_id CHAR(36) NOT NULL,
  sequence BIGINT NOT NULL,
  type VARCHAR(32) NOT NULL,
  customer_id VARCHAR(64) NULL,
  occurred_at DATETIME(3) NOT NULL,
  payload TEXT NOT NULL,
  UNIQUE KEY uk_events_event_id (event_id),
  UNIQUE KEY uk_events_promotion_sequence (promotion_id, sequence),
  UNIQUE KEY uk_events_promotion_customer (promotion_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- How far the relay has handed events to the broker (one row).
CREATE TABLE relay_position (
  id TINYINT NOT NULL PRIMARY KEY,
  position BIGINT NOT NULL
) ENGINE=InnoDB;

INSERT INTO relay_position (id, position) VALUES (1, 0);
