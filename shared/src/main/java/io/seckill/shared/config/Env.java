package io.seckill.shared.config;

import java.util.Map;

/** Typed reads of environment variables, each with its default. */
public final class Env {
  private final Map<String, String> vars;

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  public boolean has(String name) {
    String value = vars.get(name);
    return value != null && !value.isBlank();
  }

  public String string(String name, String fallback) {
    return has(name) ? vars.get(name).trim() : fallback;
  }

  public int integer(String name, int fallback) {
    if (!has(name)) {
      return fallback;
    }
    try {
      return Integer.parseInt(vars.get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + vars.get(name) + "'");
    }
  }

  public DbConfig db(String prefix, String defaultDatabase, int defaultPort) {
    return new DbConfig(
        string(prefix + "HOST", "127.0.0.1"),
        integer(prefix + "PORT", defaultPort),
        string(prefix + "DATABASE", defaultDatabase),
        string(prefix + "USER", "root"),
        string(prefix + "PASSWORD", ""),
        integer(prefix + "POOL_SIZE", 8),
        integer(prefix + "DEADLINE_MS", DbConfig.DEFAULT_DEADLINE_MILLIS));
  }
}
