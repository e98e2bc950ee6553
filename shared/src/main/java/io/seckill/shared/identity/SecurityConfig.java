package io.seckill.shared.identity;

import io.seckill.shared.config.Env;
import io.vertx.core.shareddata.Shareable;

import java.nio.file.Path;
import java.util.List;
import io.vertx.core.json.JsonObject;

/**
 * Identity, tickets and rate limits (SPEC 2.1), read once at start. Secrets come from the environment or the
 * data dir ({@code identity/}), never from the repository; {@link #toString} names no secret.
 */
public record SecurityConfig(IdentityConfig identity, List<TicketKey> ticketKeys, int ticketLeadSeconds,
                             int ticketTtlSeconds, RateLimit addressLimit, RateLimit customerLimit,
                             TrustedProxies trustedProxies, boolean proofOfWork, int proofOfWorkMaxNumber,
                             LimitHold limitHold)
    implements Shareable {

  public SecurityConfig {
    ticketKeys = ticketKeys == null ? List.of() : List.copyOf(ticketKeys);
    limitHold = limitHold == null ? LimitHold.OFF : limitHold;
  }

  /**
   * From the environment; with no {@code SECKILL_OIDC_JWKS_URL}, the development issuer's key in
   * {@code dataDir/identity} (made there on first use). Ticket keys are read (or made) only when {@code tickets}.
   */
  public static SecurityConfig from(Env env, Path dataDir, boolean tickets) {
    Path keys = dataDir.resolve("identity");
    String jwksUrl = env.has("SECKILL_OIDC_JWKS_URL") ? env.string("SECKILL_OIDC_JWKS_URL", null) : null;
    List<JsonObject> local = jwksUrl == null ? List.of(DevIssuer.loadOrCreate(keys).jwk()) : List.of();
    if (jwksUrl != null && !env.has("SECKILL_OIDC_ISSUER")) {
      throw new IllegalArgumentException("SECKILL_OIDC_ISSUER is required with SECKILL_OIDC_JWKS_URL");
    }
    IdentityConfig identity = new IdentityConfig(jwksUrl, local,
        env.string("SECKILL_OIDC_ISSUER", IdentityConfig.DEV_ISSUER),
        env.string("SECKILL_OIDC_AUDIENCE", IdentityConfig.DEFAULT_AUDIENCE),
        env.string("SECKILL_OIDC_ROLES_CLAIM", "roles"),
        IdentityConfig.ADMIN_ROLE,
        env.integer("SECKILL_OIDC_LEEWAY_SECONDS", 5),
        positive(env, "SECKILL_OIDC_JWKS_REFRESH_SECONDS", 10),
        positive(env, "SECKILL_OIDC_JWKS_MAX_AGE_SECONDS", 300),
        positiveOrZero(env, "SECKILL_OIDC_TOKEN_CACHE_SECONDS", 60));
    List<TicketKey> ticketKeys = !tickets ? List.of()
        : env.has("SECKILL_TICKET_KEYS") ? TicketKey.parse(env.string("SECKILL_TICKET_KEYS", ""))
        : TicketKey.loadOrCreate(keys);
    int tracked = positive(env, "SECKILL_RATE_LIMIT_TRACKED", 200_000);
    return new SecurityConfig(identity, ticketKeys,
        positiveOrZero(env, "SECKILL_TICKET_LEAD_SECONDS", 600),
        positive(env, "SECKILL_TICKET_TTL_SECONDS", 3600),
        new RateLimit(positiveOrZero(env, "SECKILL_RATE_ADDRESS_BURST", 2000),
            positiveOrZero(env, "SECKILL_RATE_ADDRESS_PER_SECOND", 1000), tracked),
        new RateLimit(positiveOrZero(env, "SECKILL_RATE_CUSTOMER_BURST", 20),
            positiveOrZero(env, "SECKILL_RATE_CUSTOMER_PER_SECOND", 5), tracked),
        TrustedProxies.parse(env.string("SECKILL_TRUSTED_PROXIES", "")),
        challenge(env.string("SECKILL_TICKET_CHALLENGE", "off")),
        positive(env, "SECKILL_TICKET_POW_MAX_NUMBER", 50_000),
        new LimitHold(positiveOrZero(env, "SECKILL_RATE_LIMIT_HOLD_MS", 1000),
            positiveOrZero(env, "SECKILL_RATE_LIMIT_HOLD_MAX", 2_000)));
  }

  private static boolean challenge(String value) {
    return switch (value) {
      case "off" -> false;
      case "pow" -> true;
      default -> throw new IllegalArgumentException("SECKILL_TICKET_CHALLENGE must be off or pow, got '" + value + "'");
    };
  }

  private static int positive(Env env, String name, int fallback) {
    int value = env.integer(name, fallback);
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
    return value;
  }

  private static int positiveOrZero(Env env, String name, int fallback) {
    int value = env.integer(name, fallback);
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }

  public SecurityConfig withLimits(RateLimit address, RateLimit customer) {
    return new SecurityConfig(identity, ticketKeys, ticketLeadSeconds, ticketTtlSeconds, address, customer,
        trustedProxies, proofOfWork, proofOfWorkMaxNumber, limitHold);
  }

  public SecurityConfig withTicketKeys(List<TicketKey> keys) {
    return new SecurityConfig(identity, keys, ticketLeadSeconds, ticketTtlSeconds, addressLimit, customerLimit,
        trustedProxies, proofOfWork, proofOfWorkMaxNumber, limitHold);
  }

  public SecurityConfig withIdentity(IdentityConfig newIdentity) {
    return new SecurityConfig(newIdentity, ticketKeys, ticketLeadSeconds, ticketTtlSeconds, addressLimit,
        customerLimit, trustedProxies, proofOfWork, proofOfWorkMaxNumber, limitHold);
  }

  public SecurityConfig withTrustedProxies(TrustedProxies proxies) {
    return new SecurityConfig(identity, ticketKeys, ticketLeadSeconds, ticketTtlSeconds, addressLimit,
        customerLimit, proxies, proofOfWork, proofOfWorkMaxNumber, limitHold);
  }

  /** With the ticket challenge on ({@code SECKILL_TICKET_CHALLENGE=pow}) at {@code maxNumber}, or off. */
  public SecurityConfig withProofOfWork(boolean on, int maxNumber) {
    return new SecurityConfig(identity, ticketKeys, ticketLeadSeconds, ticketTtlSeconds, addressLimit, customerLimit,
        trustedProxies, on, maxNumber, limitHold);
  }

  /** With refusals over a rate limit held as {@code hold} says ({@link LimitHold#OFF}: sent at once). */
  public SecurityConfig withLimitHold(LimitHold hold) {
    return new SecurityConfig(identity, ticketKeys, ticketLeadSeconds, ticketTtlSeconds, addressLimit, customerLimit,
        trustedProxies, proofOfWork, proofOfWorkMaxNumber, hold);
  }

  @Override
  public String toString() {
    return "SecurityConfig[issuer=" + identity.issuer() + ", jwks=" + (identity.embedded() ? "embedded" : identity.jwksUrl())
        + ", ticketKeys=" + ticketKeys.stream().map(TicketKey::kid).toList() + "]";
  }
}
