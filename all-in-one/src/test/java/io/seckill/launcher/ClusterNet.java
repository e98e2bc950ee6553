package io.seckill.launcher;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command member cut off from the others on loopback: its own address on {@code lo}, and iptables rules (root). */
final class ClusterNet {
  private ClusterNet() {
  }

  /** Adds ({@code -I}) or deletes ({@code -D}) the rules that drop every packet to or from {@code address}. */
  static boolean iptables(String action, String address) throws Exception {
    boolean ok = true;
    for (String direction : List.of("-s", "-d")) {
      Process p = new ProcessBuilder("iptables", action, "INPUT", direction, address, "-j", "DROP")
          .redirectErrorStream(true).start();
      ok &= p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
    return ok;
  }

  static boolean iptablesWorks() {
    try {
      Process p = new ProcessBuilder("iptables", "-L", "INPUT", "-n").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  /** {@code ip addr add ADDRESS/32 dev lo}: whether it worked. */
  static boolean addAddress(String address) throws Exception {
    Process add = new ProcessBuilder("ip", "addr", "add", address + "/32", "dev", "lo").redirectErrorStream(true)
        .start();
    return add.waitFor(10, TimeUnit.SECONDS) && add.exitValue() == 0;
  }

  static void removeAddress(String address) throws Exception {
    new ProcessBuilder("ip", "addr", "del", address + "/32", "dev", "lo").start().waitFor(10, TimeUnit.SECONDS);
  }

  /** After a test: the rules deleted if {@code cut}, the address removed if {@code added}. */
  static void undo(boolean cut, boolean added, String address) throws Exception {
    if (cut) {
      iptables("-D", address);
    }
    if (added) {
      removeAddress(address);
    }
  }
}
