package io.seckill.command.service;

import io.seckill.command.domain.GrabDecision;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.UUID;

/**
 * Lets HTTP instances on any event loop use the one {@link CommandService}, which lives on its owner's context:
 * the grab hops to the owner, is decided there (so decisions on a promotion are never concurrent), and the
 * outcome hops back to the caller's context.
 */
public final class GrabGateway {
  private final Context owner;
  private final CommandService service;

  public GrabGateway(Context owner, CommandService service) {
    this.owner = owner;
    this.service = service;
  }

  public Future<GrabDecision> grab(UUID promotionId, String customerId) {
    Context caller = Vertx.currentContext();
    if (caller == owner) {
      return service.grab(promotionId, customerId);
    }
    Promise<GrabDecision> promise = Promise.promise();
    owner.runOnContext(v -> service.grab(promotionId, customerId)
        .onComplete(ar -> caller.runOnContext(x -> promise.handle(ar))));
    return promise.future();
  }
}
