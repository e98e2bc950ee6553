package io.seckill.shared.identity;

import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * What the verticle instances of one JVM share for SPEC 2.1: the identity keys (fetched once), the rate-limit
 * buckets (a caller's budget is the same on every event loop) and the ticket codec. One per Vert.x instance and
 * configuration; each verticle instance adds its own {@link TokenVerifier} through {@link Guard}.
 */
public final class Security implements Shareable {
  private final SecurityConfig config;
  private final JwksSource jwks;
  private final Promise<Void> ready = Promise.promise();
  private final RateLimiter addresses;
  private final RateLimiter customers;
  private final Tickets tickets;
  private final TicketChallenge challenge;
  private final Cache<String, TokenVerifier.Verified> verifiedTokens;
  private final HeldRefusals heldRefusals;
  final Counter limitedAddress;
  final Counter limitedCustomer;

  private Security(Vertx vertx, SecurityConfig config) {
    this.config = config;
    IdentityConfig identity = config.identity();
    this.jwks = identity.embedded()
        ? JwksSource.fixed(vertx, identity.localJwks())
        : JwksSource.remote(vertx, identity.jwksUrl(), identity.jwksRefreshSeconds(), identity.jwksMaxAgeSeconds());
    this.verifiedTokens = TokenVerifier.cache(identity);
    this.addresses = new RateLimiter(config.addressLimit());
    this.customers = new RateLimiter(config.customerLimit());
    this.tickets = config.ticketKeys().isEmpty() ? null : new Tickets(config.ticketKeys());
    this.challenge = tickets != null && config.proofOfWork()
        ? new TicketChallenge(config.ticketKeys().get(0).secret(), config.proofOfWorkMaxNumber()) : null;
    this.heldRefusals = new HeldRefusals(config.limitHold());
    Gauge.builder("seckill_rate_limited_held", heldRefusals, HeldRefusals::held)
        .description("429 rate_limited answers being held now (SECKILL_RATE_LIMIT_HOLD_MS)").register(Metrics.registry());
    this.limitedAddress = limited("address");
    this.limitedCustomer = limited("customer");
  }

  private static Counter limited(String scope) {
    return Counter.builder("seckill_rate_limited_total").description("requests refused with 429 rate_limited, by scope")
        .tag("scope", scope).register(Metrics.registry());
  }

  /** The instance for this Vert.x and configuration, made on first use. */
  public static Security shared(Vertx vertx, SecurityConfig config) {
    LocalMap<SecurityConfig, Security> map = vertx.sharedData().getLocalMap("seckill.security");
    Security existing = map.get(config);
    if (existing != null) {
      return existing;
    }
    Security made = new Security(vertx, config);
    existing = map.putIfAbsent(config, made);
    if (existing != null) {
      made.jwks.close();
      return existing;
    }
    made.jwks.start().onComplete(made.ready);
    return made;
  }

  /** Completes when the first key load was tried (it may have failed: see {@link #hasKeys}). */
  public Future<Void> ready() {
    return ready.future();
  }

  public boolean hasKeys() {
    return jwks.hasKeys();
  }

  public SecurityConfig config() {
    return config;
  }

  public JwksSource jwks() {
    return jwks;
  }

  /** The tokens that passed recently (shared by the JVM's verifiers), or null when that cache is off. */
  Cache<String, TokenVerifier.Verified> verifiedTokens() {
    return verifiedTokens;
  }

  public RateLimiter addresses() {
    return addresses;
  }

  public RateLimiter customers() {
    return customers;
  }

  /** The refusals over a rate limit held now, within SECKILL_RATE_LIMIT_HOLD_MAX. */
  HeldRefusals heldRefusals() {
    return heldRefusals;
  }

  /** The proof-of-work gate before a ticket, or null when {@code SECKILL_TICKET_CHALLENGE} is off. */
  public TicketChallenge ticketChallenge() {
    return challenge;
  }

  /** The ticket codec; only a process configured with ticket keys (the command role) has one. */
  public Tickets tickets() {
    if (tickets == null) {
      throw new IllegalStateException("this process has no ticket keys");
    }
    return tickets;
  }
}
