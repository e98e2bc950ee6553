package io.seckill.shared.config;

import java.net.URI;

/** The broker: {@code amqp://[user:password@]host:port} and the queue address. */
public record AmqpConfig(String host, int port, String user, String password, String address) {

  public static AmqpConfig parse(String url, String address) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SECKILL_AMQP_URL is not a URL: " + url);
    }
    if (!"amqp".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("SECKILL_AMQP_URL must look like amqp://host:5672, got " + url);
    }
    String user = null;
    String password = null;
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : null;
    }
    return new AmqpConfig(uri.getHost(), uri.getPort() < 0 ? 5672 : uri.getPort(), user, password, address);
  }

  public AmqpConfig withPort(int newPort) {
    return new AmqpConfig(host, newPort, user, password, address);
  }

  @Override
  public String toString() {
    return "amqp://" + host + ":" + port + "/" + address;
  }
}
