package io.seckill.launcher;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What one JVM runs, chosen with {@code SECKILL_ROLES} (comma separated, or {@code all}). */
public enum Role {
  BROKER, ADMIN, COMMAND, EVENT, QUERY;

  /**
   * Parses {@code SECKILL_ROLES}. {@code all} means every verticle, plus the embedded broker unless an external
   * one is configured with {@code SECKILL_AMQP_URL}.
   */
  public static Set<Role> parse(String roles, boolean externalBroker) {
    Set<Role> result = EnumSet.noneOf(Role.class);
    for (String part : roles.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (name.equals("ALL")) {
        result.addAll(EnumSet.of(ADMIN, COMMAND, EVENT, QUERY));
        if (!externalBroker) {
          result.add(BROKER);
        }
        continue;
      }
      try {
        result.add(Role.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("SECKILL_ROLES: unknown role '" + part.trim()
            + "' (known: all, broker, admin, command, event, query)");
      }
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException("SECKILL_ROLES names no role");
    }
    return result;
  }
}
