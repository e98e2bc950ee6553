package io.seckill.shared.config;

import io.seckill.shared.identity.DevSignIn;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shop front's settings: the customer's page the query service serves at {@code /shop/}, and the origins whose
 * pages may call the command service from a browser.
 *
 * @param corsOrigins the origins ({@code scheme://host[:port]}) the command service answers cross-origin calls from
 *                    (SECKILL_CORS_ORIGINS); empty means the shop front's own, the query service on this host
 *                    ({@code http://127.0.0.1:<query port>} and {@code http://localhost:<query port>})
 * @param commandUrl  where the page calls the command service (SECKILL_SHOP_COMMAND_URL); null means the host the
 *                    browser reached the page at, on the command port
 * @param clientId    the page's public client at the identity provider, when it is not the embedded issuer
 *                    (SECKILL_SHOP_CLIENT_ID)
 * @param issuerUrl   the provider the page signs in through (SECKILL_SHOP_ISSUER_URL); null means the identity
 *                    issuer (SECKILL_OIDC_ISSUER)
 * @param devSignIn   who may use the development sign-in, with the embedded issuer only (SECKILL_SHOP_DEV_SIGNIN)
 */
public record ShopConfig(List<String> corsOrigins, String commandUrl, String clientId, String issuerUrl,
                         DevSignIn devSignIn) {

  public ShopConfig {
    corsOrigins = List.copyOf(corsOrigins);
  }

  public static ShopConfig from(Env env) {
    String command = env.string("SECKILL_SHOP_COMMAND_URL", "").strip();
    String issuer = env.string("SECKILL_SHOP_ISSUER_URL", "").strip();
    return new ShopConfig(origins(env.string("SECKILL_CORS_ORIGINS", "")),
        command.isEmpty() ? null : origin("SECKILL_SHOP_COMMAND_URL", command),
        env.string("SECKILL_SHOP_CLIENT_ID", "seckill-shop"),
        issuer.isEmpty() ? null : issuer,
        DevSignIn.parse("SECKILL_SHOP_DEV_SIGNIN", env.string("SECKILL_SHOP_DEV_SIGNIN", "loopback")));
  }

  /** The defaults: the page's own origins, the command service where the browser found the page. */
  public static ShopConfig defaults() {
    return from(new Env(Map.of()));
  }

  /** The origins allowed to call the command service when the query service listens on {@code queryPort}. */
  public List<String> allowedOrigins(int queryPort) {
    return corsOrigins.isEmpty() ? List.of("http://127.0.0.1:" + queryPort, "http://localhost:" + queryPort)
        : corsOrigins;
  }

  static List<String> origins(String value) {
    List<String> origins = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        origins.add(origin("SECKILL_CORS_ORIGINS", part.strip()));
      }
    }
    return origins;
  }

  /** {@code value} as an origin, {@code scheme://host[:port]} without a path; "*" and anything else refused. */
  static String origin(String name, String value) {
    String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    try {
      URI uri = URI.create(trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null) {
        return trimmed;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw new IllegalArgumentException(name + " takes origins such as https://shop.example.com or"
        + " http://127.0.0.1:8083 (scheme, host and port only; no '*', no path), got '" + value + "'");
  }
}
