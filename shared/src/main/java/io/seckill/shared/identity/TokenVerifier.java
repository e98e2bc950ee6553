package io.seckill.shared.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2Options;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Checks identity tokens locally, bearer-only: {@link TokenShape} first, then the signature, issuer and audience
 * with vertx-auth-oauth2 against the keys of the {@link JwksSource}, then {@link ClaimsCheck}. The provider is
 * built by hand (no discovery, no introspection or userinfo endpoint), so no token ever makes this service call
 * the identity provider, except a well-formed one naming an unknown key id, which asks for one throttled refresh.
 *
 * <p>A token that passed is remembered (by its exact text, in a cache shared by the JVM's verifiers) for at most
 * {@code SECKILL_OIDC_TOKEN_CACHE_SECONDS}, never past its own {@code exp}, and only while the key set it was checked
 * against is the current one (a JWKS change, such as a retired key, checks it again): a customer's app sends the
 * same token with every call, and its RS256 check costs forty times a ticket's MAC.
 *
 * <p>One per verticle instance: vertx-auth 5.0.7 verifies on one {@code Signature} per key under a lock, so a
 * provider shared by every event loop would check one token at a time. Not thread-safe.
 */
public final class TokenVerifier {
  private final Vertx vertx;
  private final JwksSource source;
  private final IdentityConfig config;
  private final ClaimsCheck claims;
  private final Clock clock;
  private final Cache<String, Verified> verified;
  private OAuth2Auth provider;
  private long providerVersion = -1;

  /** A token that passed: for whom, until when (its exp plus the leeway, epoch seconds), against which key set. */
  record Verified(Caller caller, long validUntil, long keysVersion) {
  }

  /** Without a cache of verified tokens. */
  public TokenVerifier(Vertx vertx, JwksSource source, IdentityConfig config, Clock clock) {
    this(vertx, source, config, clock, null);
  }

  /** With {@code verified} (shared, thread-safe; null: none) remembering the tokens that passed. */
  public TokenVerifier(Vertx vertx, JwksSource source, IdentityConfig config, Clock clock,
                       Cache<String, Verified> verified) {
    this.vertx = vertx;
    this.source = source;
    this.config = config;
    this.claims = config.claimsCheck();
    this.clock = clock;
    this.verified = verified;
  }

  /** What the verified tokens of one JVM may hold at most (the tokens' text and their entries). */
  static final long CACHE_BYTES = 32L * 1024 * 1024;

  /** The cache of verified tokens a JVM shares, or null when {@code tokenCacheSeconds} is 0. */
  static Cache<String, Verified> cache(IdentityConfig config) {
    // bounded by bytes, not entries: a token is 0.5-2 KB, and the query JVM of the compose file has 512 MB of heap
    return config.tokenCacheSeconds() == 0 ? null : Caffeine.newBuilder().maximumWeight(CACHE_BYTES)
        .<String, Verified>weigher((token, verified) -> 2 * token.length() + 120)
        .expireAfterWrite(Duration.ofSeconds(config.tokenCacheSeconds()))
        .executor(Runnable::run) // upkeep on the caller's event loop, as RateLimiter's
        .build();
  }

  public Future<Caller> verify(String token) {
    if (verified != null && token != null) {
      Verified hit = verified.getIfPresent(token);
      if (hit != null && clock.millis() / 1000 < hit.validUntil() && hit.keysVersion() == source.current().version()) {
        return Future.succeededFuture(hit.caller());
      }
    }
    try {
      TokenShape.header(token);
    } catch (TokenRefused e) {
      return Future.failedFuture(e);
    }
    return attempt(token, true).map(passed -> {
      if (verified != null) {
        verified.put(token, passed);
      }
      return passed.caller();
    });
  }

  private Future<Verified> attempt(String token, boolean mayRefresh) {
    JwksSource.Keys keys = source.current();
    if (keys.jwks().isEmpty()) {
      return Future.failedFuture(new TokenRefused("no identity keys are loaded; try again later"));
    }
    Future<User> user;
    try {
      user = provider(keys).authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      user = Future.failedFuture(e);
    }
    return user.transform(ar -> {
      if (ar.succeeded()) {
        JsonObject payload = ar.result().attributes().getJsonObject("accessToken");
        try {
          Caller caller = claims.check(payload, clock.millis() / 1000);
          // exp is a whole number here: the check refuses anything else
          return Future.succeededFuture(new Verified(caller,
              ((Number) payload.getValue("exp")).longValue() + config.leewaySeconds(), keys.version()));
        } catch (TokenRefused e) {
          return Future.failedFuture(e);
        } catch (RuntimeException e) {
          return Future.failedFuture(new TokenRefused("token claims are malformed"));
        }
      }
      if (ar.cause() instanceof NoSuchKeyIdException && mayRefresh) {
        return source.refreshForUnknownKey().compose(changed -> changed
            ? attempt(token, false)
            : Future.failedFuture(new TokenRefused("token is signed with an unknown key")));
      }
      return Future.failedFuture(new TokenRefused("token signature, issuer, audience or expiry is not valid"));
    });
  }

  private OAuth2Auth provider(JwksSource.Keys keys) {
    if (provider == null || providerVersion != keys.version()) {
      OAuth2Options options = new OAuth2Options()
          .setClientId(config.audience())
          .setJwks(List.copyOf(keys.jwks()))
          .setIntrospectionPath(null)
          .setUserInfoPath(null)
          .setJWTOptions(new JWTOptions()
              .setIssuer(config.issuer())
              .setAudience(List.of(config.audience()))
              .setLeeway(config.leewaySeconds()));
      provider = OAuth2Auth.create(vertx, options);
      providerVersion = keys.version();
    }
    return provider;
  }
}
