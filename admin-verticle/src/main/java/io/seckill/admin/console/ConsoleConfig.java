package io.seckill.admin.console;

import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.DevIssuer;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operator console's settings (README, "The operator console"). {@code devIssuer} is the embedded development
 * issuer's key when the system is its own issuer, else null (then there is no development sign-in, whatever
 * {@code devSignIn} says). The console reads the command members', the query service's and the event service's
 * HTTP APIs at the URLs given here.
 */
public record ConsoleConfig(String clientId, String issuerUrl, DevSignIn devSignIn, DevIssuer devIssuer,
                            List<String> commandUrls, String queryUrl, String eventUrl) {

  /** Who may use the development sign-in (with the embedded issuer only). */
  public enum DevSignIn {
    OFF, LOOPBACK, ON;

    static DevSignIn parse(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "off" -> OFF;
        case "loopback" -> LOOPBACK;
        case "on" -> ON;
        default -> throw new IllegalArgumentException("SECKILL_CONSOLE_DEV_SIGNIN must be off, loopback or on, got '"
            + value + "'");
      };
    }

    /** Whether a caller at {@code remoteAddress} may sign in this way. */
    public boolean allows(String remoteAddress) {
      return switch (this) {
        case OFF -> false;
        case ON -> true;
        case LOOPBACK -> remoteAddress != null && (remoteAddress.startsWith("127.")
            || remoteAddress.equals("::1") || remoteAddress.equals("0:0:0:0:0:0:0:1"));
      };
    }
  }

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
        DevSignIn.parse(env.string("SECKILL_CONSOLE_DEV_SIGNIN", "loopback")),
        config.security().identity().embedded() ? devIssuer : null,
        commands,
        url("SECKILL_CONSOLE_QUERY_URL", env.string("SECKILL_CONSOLE_QUERY_URL", local + config.queryPort())),
        url("SECKILL_CONSOLE_EVENT_URL", env.string("SECKILL_CONSOLE_EVENT_URL", local + config.eventPort())));
  }

  /** The defaults for a system on one host (tests that start the admin verticle alone). */
  public static ConsoleConfig local(SecKillConfig config) {
    return from(new Env(java.util.Map.of()), config, null);
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
