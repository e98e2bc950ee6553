package io.seckill.shared.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Counts a process's open HTTP connections, in all and per client address, and says whether one more may open: no
 * I/O, safe from any thread (every HTTP server of the process shares one). A connection let in must be
 * {@link #closed} exactly once.
 */
public final class ConnectionLimiter {
  /** Why a connection was refused, or that it was let in. */
  public enum Verdict { OPEN, TOO_MANY_IN_ALL, TOO_MANY_FROM_ADDRESS }

  private final int total;
  private final int perAddress;
  private final Predicate<String> exempt;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  /** @param exempt addresses with no cap of their own (trusted proxies carry many callers) */
  public ConnectionLimiter(int total, int perAddress, Predicate<String> exempt) {
    this.total = total;
    this.perAddress = perAddress;
    this.exempt = exempt;
  }

  /** Lets a connection from {@code address} in, counted, or refuses it (nothing counted). */
  public Verdict open(String address) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      return Verdict.TOO_MANY_IN_ALL;
    }
    if (exempt.test(address)) {
      return Verdict.OPEN;
    }
    boolean[] let = {false};
    byAddress.compute(address, (a, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      if (c.get() < perAddress) {
        c.incrementAndGet();
        let[0] = true;
      }
      return c.get() == 0 ? null : c;
    });
    if (!let[0]) {
      open.decrementAndGet();
      return Verdict.TOO_MANY_FROM_ADDRESS;
    }
    return Verdict.OPEN;
  }

  /** A connection let in by {@link #open} closed. */
  public void closed(String address) {
    open.decrementAndGet();
    if (!exempt.test(address)) {
      byAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
  }

  public int open() {
    return open.get();
  }

  /** Open connections from {@code address}. */
  public int openFrom(String address) {
    AtomicInteger count = byAddress.get(address);
    return count == null ? 0 : count.get();
  }

  public int total() {
    return total;
  }
}
