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

import java.time.Clock;
import java.util.List;

/**
 * Checks identity tokens locally, bearer-only: {@link TokenShape} first, then the signature, issuer and audience
 * with vertx-auth-oauth2 against the keys of the {@link JwksSource}, then {@link ClaimsCheck}. The provider is
 * built by hand (no discovery, no introspection or userinfo endpoint), so no token ever makes this service call
 * the identity provider, except a well-formed one naming an unknown key id, which asks for one throttled refresh.
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
  private OAuth2Auth provider;
  private long providerVersion = -1;

  public TokenVerifier(Vertx vertx, JwksSource source, IdentityConfig config, Clock clock) {
    this.vertx = vertx;
    this.source = source;
    this.config = config;
    this.claims = config.claimsCheck();
    this.clock = clock;
  }

  public Future<Caller> verify(String token) {
    try {
      TokenShape.header(token);
    } catch (TokenRefused e) {
      return Future.failedFuture(e);
    }
    return attempt(token, true);
  }

  private Future<Caller> attempt(String token, boolean mayRefresh) {
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
          return Future.succeededFuture(claims.check(payload, clock.millis() / 1000));
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
