package io.seckill.command.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing of partitions over member names: each partition goes to the member
 * with the highest weight for it. Every member computes the same answer from the same set, and when a member joins
 * or leaves only the partitions it gains or had move. Pure.
 */
public final class Rendezvous {
  private Rendezvous() {
  }

  /** The member that should hold {@code partition}, or null when there is none. */
  public static String owner(int partition, Collection<String> members) {
    String best = null;
    long bestWeight = 0;
    for (String member : members) {
      long weight = weight(partition, member);
      if (best == null || Long.compareUnsigned(weight, bestWeight) > 0
          || (weight == bestWeight && member.compareTo(best) < 0)) {
        best = member;
        bestWeight = weight;
      }
    }
    return best;
  }

  /** FNV-1a over the member's UTF-8 bytes, then the partition, finished with a 64-bit mix (SplitMix64's). */
  static long weight(int partition, String member) {
    long h = 0xcbf29ce484222325L;
    for (byte b : member.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ partition) * 0x100000001b3L;
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
