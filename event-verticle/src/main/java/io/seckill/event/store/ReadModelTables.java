package io.seckill.event.store;

import java.util.UUID;
import java.util.List;

/**
 * The names of the read model's three tables: the live ones the queries read, or a rebuild's set beside them
 * ({@code <table>_rb_<tag>} while it is built, {@code <table>_old_<tag>} for the live ones it replaced, between the
 * swap and their drop). A tag is a rebuild id without its dashes: 32 hex digits, so that a name stays under MariaDB's
 * 64 characters and needs no quoting.
 */
public record ReadModelTables(String coupons, String activePromotions, String positions) {
  public static final ReadModelTables LIVE = new ReadModelTables("coupons", "active_promotions", "projection_positions");
  public static final String SHADOW = "_rb_";
  public static final String OLD = "_old_";

  public static ReadModelTables shadow(String tag) {
    return suffixed(SHADOW + checked(tag));
  }

  public static ReadModelTables old(String tag) {
    return suffixed(OLD + checked(tag));
  }

  public List<String> all() {
    return List.of(coupons, activePromotions, positions);
  }

  /**
   * The rebuild tag of a table name ({@code coupons_rb_<tag>} or {@code coupons_old_<tag>}), or null when the name is
   * not one of a rebuild's tables.
   */
  public static String tagOf(String table) {
    for (String live : LIVE.all()) {
      for (String kind : new String[] {SHADOW, OLD}) {
        String prefix = live + kind;
        if (table.startsWith(prefix) && isTag(table.substring(prefix.length()))) {
          return table.substring(prefix.length());
        }
      }
    }
    return null;
  }

  /** Whether {@code table} holds a rebuild's replaced live tables ({@code _old_}). */
  public static boolean isOld(String table) {
    return tagOf(table) != null && table.contains(OLD);
  }

  public static String tagOf(UUID rebuildId) {
    return rebuildId.toString().replace("-", "");
  }

  private static ReadModelTables suffixed(String suffix) {
    return new ReadModelTables(LIVE.coupons + suffix, LIVE.activePromotions + suffix, LIVE.positions + suffix);
  }

  private static String checked(String tag) {
    if (!isTag(tag)) {
      throw new IllegalArgumentException("not a rebuild tag: " + tag);
    }
    return tag;
  }

  private static boolean isTag(String tag) {
    return tag.length() == 32 && tag.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}
