package io.seckill.shared.identity;

import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.Bodies;
import io.seckill.shared.http.HttpErrors;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Locale;

/**
 * A page's development sign-in ({@code POST /console/dev-sign-in}, {@code POST /shop/dev-sign-in}): a token for a
 * typed name, signed by the embedded development issuer, an admin's for the console and a customer's for the shop.
 * Offered only with that issuer ({@code issuer} not null) and not switched off, and then only to the callers
 * {@code who} allows (by default those on this machine).
 *
 * @param page      what signs in, for the log line ("console", "shop")
 * @param variable  the setting of {@code who}, named in a refusal
 * @param elsewhere where the system signs in instead, named in the 404 when there is no development sign-in
 */
public record DevSignInRoute(String page, String variable, DevSignIn who, DevIssuer issuer, String elsewhere,
                             IdentityConfig identity, Clock clock, boolean admin) {
  public static final long TOKEN_SECONDS = 900;
  private static final Logger LOG = LoggerFactory.getLogger(DevSignInRoute.class);

  public boolean offered() {
    return issuer != null && who != DevSignIn.OFF;
  }

  public void handle(RoutingContext ctx) {
    if (!offered()) {
      HttpErrors.send(ctx, 404, "not_found", "there is no development sign-in: this system signs in through "
          + elsewhere);
      return;
    }
    String remote = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    if (!who.allows(remote)) {
      HttpErrors.send(ctx, 403, "forbidden", "the development sign-in is open to callers on this machine only ("
          + variable + "=" + who.name().toLowerCase(Locale.ROOT) + ")");
      return;
    }
    JsonObject body = Bodies.jsonObject(ctx, "invalid_request");
    Object name = body.getValue("name");
    if (!(name instanceof String typed) || typed.isBlank() || !CustomerIds.valid(typed.strip())) {
      throw new ApiException(400, "invalid_request", "name must be 1 to " + CustomerIds.MAX_LENGTH + " characters");
    }
    String subject = typed.strip();
    String token = issuer.mint(subject, admin, TOKEN_SECONDS, identity, clock.millis() / 1000);
    LOG.info("{}: development sign-in of '{}' from {}", page, subject, remote);
    ctx.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("accessToken", token).put("tokenType", "Bearer")
            .put("expiresIn", TOKEN_SECONDS).put("name", subject).toBuffer());
  }
}
