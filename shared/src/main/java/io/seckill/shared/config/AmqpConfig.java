package io.seckill.shared.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Objects;

/**
 * The broker: {@code amqp://[user:password@]host:port}, or several of them separated by commas (a master/slave
 * group: a link connects to the first that answers, in the order given, and tries them again in that order when it
 * loses its broker), and the queue address.
 */
public record AmqpConfig(List<Endpoint> brokers, String user, String password, String address) {

  /** One broker's AMQP listener. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public AmqpConfig {
    if (brokers.isEmpty()) {
      throw new IllegalArgumentException("SECKILL_AMQP_URL names no broker");
    }
    brokers = List.copyOf(brokers);
  }

  /** One broker. */
  public AmqpConfig(String host, int port, String user, String password, String address) {
    this(List.of(new Endpoint(host, port)), user, password, address);
  }

  public static AmqpConfig parse(String urls, String address) {
    List<Endpoint> brokers = new ArrayList<>();
    String user = null;
    String password = null;
    for (String url : urls.split(",", -1)) {
      URI uri;
      try {
        uri = URI.create(url.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("SECKILL_AMQP_URL is not a URL (or a comma-separated list of them): " + urls);
      }
      if (!"amqp".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("SECKILL_AMQP_URL must look like amqp://host:5672 (or several, separated"
            + " by commas, for a master/slave group), got " + urls);
      }
      if (uri.getUserInfo() != null) {
        String[] parts = uri.getUserInfo().split(":", 2);
        if (user != null && (!user.equals(parts[0]) || !Objects.equals(password,
            parts.length > 1 ? parts[1] : null))) {
          throw new IllegalArgumentException("SECKILL_AMQP_URL gives two different users: one user and password"
              + " serve every broker of the list");
        }
        user = parts[0];
        password = parts.length > 1 ? parts[1] : null;
      }
      brokers.add(new Endpoint(uri.getHost(), uri.getPort() < 0 ? 5672 : uri.getPort()));
    }
    return new AmqpConfig(brokers, user, password, address);
  }

  /** The first broker's host. */
  public String host() {
    return brokers.get(0).host();
  }

  /** The first broker's port. */
  public int port() {
    return brokers.get(0).port();
  }

  public AmqpConfig withAddress(String newAddress) {
    return new AmqpConfig(brokers, user, password, newAddress);
  }

  /** {@code SECKILL_AMQP_URL} for these brokers, without the credentials. */
  public String url() {
    return brokers.stream().map(b -> "amqp://" + b).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return url() + "/" + address;
  }
}
