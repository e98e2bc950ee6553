package io.seckill.shared.identity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code SECKILL_TRUSTED_PROXIES}: the networks whose {@code X-Forwarded-For} is believed. A request from one of
 * them is charged to the right-most address in the header that is not itself a trusted proxy (the one the last
 * trusted hop saw); from anywhere else, to its own address, whatever the header says. Pure: only literal
 * addresses are parsed, never a name (no DNS lookup on attacker input).
 */
public final class TrustedProxies {
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private record Network(byte[] address, int prefix) {
    boolean contains(byte[] candidate) {
      if (candidate.length != address.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (candidate[i] != address[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (candidate[full] & mask) == (address[full] & mask);
    }
  }

  private final List<Network> networks;

  private TrustedProxies(List<Network> networks) {
    this.networks = networks;
  }

  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  /** A comma list of addresses or CIDR networks ({@code 10.0.0.0/8,127.0.0.1,::1}); empty trusts nobody. */
  public static TrustedProxies parse(String spec) {
    List<Network> networks = new ArrayList<>();
    for (String part : spec.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("SECKILL_TRUSTED_PROXIES: '" + entry + "' is not an address or network");
      }
      int prefix = address.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > address.length * 8) {
          throw new IllegalArgumentException("SECKILL_TRUSTED_PROXIES: bad prefix length in '" + entry + "'");
        }
      }
      networks.add(new Network(address, prefix));
    }
    return new TrustedProxies(List.copyOf(networks));
  }

  /** The address a request is charged to. */
  public String client(String remote, String forwardedFor) {
    if (networks.isEmpty() || forwardedFor == null || !trusted(literal(remote))) {
      return remote;
    }
    String[] hops = forwardedFor.split(",");
    String client = remote;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      byte[] address = literal(hop);
      if (address == null) {
        return client;
      }
      client = hop;
      if (!trusted(address)) {
        return hop;
      }
    }
    return client;
  }

  /** Whether {@code remote} (an address literal) is one of the trusted proxies. */
  public boolean trusts(String remote) {
    return !networks.isEmpty() && trusted(literal(remote));
  }

  private boolean trusted(byte[] address) {
    if (address == null) {
      return false;
    }
    for (Network network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** A dotted-quad IPv4 literal, parsed by hand (it runs on every request); null when it is not one. */
  private static byte[] ipv4(String s) {
    byte[] address = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else if (c == '.' && value >= 0 && part < 4) {
        address[part++] = (byte) value;
        value = -1;
      } else {
        return null;
      }
    }
    return part == 4 ? address : null;
  }

  static byte[] literal(String text) {
    if (text == null) {
      return null;
    }
    String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    byte[] v4 = ipv4(s);
    if (v4 != null) {
      return v4;
    }
    if (s.indexOf(':') < 0 || !IPV6.matcher(s).matches()) {
      return null;
    }
    try {
      // a string with a colon is only ever parsed as an IPv6 literal, never looked up
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
