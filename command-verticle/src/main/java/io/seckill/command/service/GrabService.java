package io.seckill.command.service;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.TicketPolicy;
import io.vertx.core.Future;

import java.util.Optional;
import java.util.UUID;

/** What the grab endpoint asks, from any event loop: decided here ({@link GrabGateway}) or by the owner. */
public interface GrabService {
  /** The grab's decision, once its events are committed; {@link Unavailable} when nobody can decide now. */
  Future<GrabDecision> grab(UUID promotionId, String customerId);

  /** Whether a grab ticket may be issued for {@code promotionId} now, and until when; {@link Unavailable} as above. */
  Future<Optional<TicketPolicy.Validity>> ticket(TicketPolicy policy, UUID promotionId);
}
