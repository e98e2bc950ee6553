package io.seckill.admin.console;

import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.DevSignIn;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator console's settings (docs/configuration.md, "Operator console"). {@code devIssuer} is the embedded
 * development issuer's key when the system is its own issuer, else null (then there is no development sign-in,
 * whatever {@code devSignIn} says). The console reads the command members', the query service's and the event service's
 * HTTP APIs at the URLs given here.
 */
public record ConsoleConfig(String clientId, String issuerUrl, DevSignIn devSignIn, DevIssuer devIssuer,
                            List<String> commandUrls, String queryUrl, String eventUrl) {

  public ConsoleConfig {
    commandUrls = List.copyOf(commandUrls);
  }

  /** The development sign-in is offered: the embedded issuer, and not switched off. */
  public boolean devSignInOffered() {
    return devIssuer != null && devSignIn != DevSignIn.OFF;
  }

  public static ConsoleConfig from(Env env, SecKillConfig config, DevIssuer devIssuer) {
    String local = "http://127.0.0.1:";
    List<String> commands = urls("SECKILL_CONSOLE_COMMAND_URLS",
        env.string("SECKILL_CONSOLE_COMMAND_URLS", local + config.commandPort()));
    return new ConsoleConfig(
        env.string("SECKILL_CONSOLE_CLIENT_ID", "seckill-console"),
        env.string("SECKILL_CONSOLE_ISSUER_URL", config.security().identity().issuer()),
        DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", env.string("SECKILL_CONSOLE_DEV_SIGNIN", "loopback")),
        config.security().identity().embedded() ? devIssuer : null,
        commands,
        url("SECKILL_CONSOLE_QUERY_URL", env.string("SECKILL_CONSOLE_QUERY_URL", local + config.queryPort())),
        url("SECKILL_CONSOLE_EVENT_URL", env.string("SECKILL_CONSOLE_EVENT_URL", local + config.eventPort())));
  }

  /** The defaults for a system on one host (tests that start the admin verticle alone). */
  public static ConsoleConfig local(SecKillConfig config) {
    return from(new Env(Map.of()), config, null);
  }

  static List<String> urls(String name, String value) {
    List<String> urls = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        urls.add(url(name, part.trim()));
      }
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(name + " must list at least one http:// URL");
    }
    return urls;
  }

  static String url(String name, String value) {
    try {
      URI uri = URI.create(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be http(s)://host:port URLs, got '" + value + "'");
    }
  }
}
