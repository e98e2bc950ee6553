package io.seckill.command.cluster;

import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.lease.Partitions;
import io.seckill.command.lease.Routes;
import io.seckill.command.service.GrabGateway;
import io.seckill.command.service.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * The owner's side of routed grabs and tickets: consumers at this incarnation's addresses, on the command verticle's
 * context, that answer with the local {@link GrabGateway}'s decision (after its commit) or with {@code NOT_OWNER}
 * when this process does not hold the partition (nothing decided).
 */
public final class GrabEndpoint {
  private final MessageConsumer<String> grabs;
  private final MessageConsumer<String> tickets;

  public GrabEndpoint(Vertx vertx, String incarnation, GrabGateway gateway, Partitions partitions,
                      Supplier<Routes> routes, TicketPolicy policy) {
    grabs = vertx.eventBus().consumer(GrabRouting.grabAddress(incarnation), message -> {
      String body = message.body();
      UUID id;
      try {
        id = GrabRouting.promotionOf(body);
      } catch (RuntimeException e) {
        message.fail(400, "bad_request\nnot a routed grab");
        return;
      }
      if (!routes.get().here(partitions.of(id))) {
        message.fail(GrabRouting.NOT_OWNER, "not_owner\nnot held here");
        return;
      }
      gateway.grab(id, GrabRouting.customerOf(body)).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(GrabRouting.decision(ar.result()));
        } else {
          fail(message, ar.cause());
        }
      });
    });
    tickets = vertx.eventBus().consumer(GrabRouting.ticketAddress(incarnation), message -> {
      UUID id = UUID.fromString(message.body());
      if (!routes.get().here(partitions.of(id))) {
        message.fail(GrabRouting.NOT_OWNER, "not_owner\nnot held here");
        return;
      }
      gateway.ticket(policy, id).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(GrabRouting.validity(ar.result()));
        } else {
          fail(message, ar.cause());
        }
      });
    });
  }

  private static void fail(Message<String> message, Throwable cause) {
    message.fail(GrabRouting.UNAVAILABLE, GrabRouting.failure(cause instanceof Unavailable unavailable ? unavailable
        : new Unavailable("the grab could not be recorded; try again")));
  }

  /** Registered across the cluster. */
  public Future<Void> ready() {
    return Future.all(grabs.completion(), tickets.completion()).mapEmpty();
  }

  public Future<Void> close() {
    return Future.join(grabs.unregister(), tickets.unregister()).mapEmpty();
  }
}
