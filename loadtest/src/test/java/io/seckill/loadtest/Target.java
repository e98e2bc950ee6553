package io.seckill.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The system under load and its parameters, all from system properties (-Dname=value):
 * {@code adminUrl}, {@code commandUrl}, {@code queryUrl} (defaults: 127.0.0.1 ports 8081-8083),
 * the identity settings of {@link Identity}, and each simulation's own (users, coupons, duration, rate, p99Millis).
 * Setup and final checks use the JDK HTTP client, outside the measured scenario.
 */
final class Target {
  static final String ADMIN = System.getProperty("adminUrl", "http://127.0.0.1:8081");
  static final String COMMAND = System.getProperty("commandUrl", "http://127.0.0.1:8082");
  static final String QUERY = System.getProperty("queryUrl", "http://127.0.0.1:8083");
  /**
   * The addresses the virtual users connect from, round robin: against a system on this machine, 127.0.0.1 to
   * 127.0.0.16 (every 127/8 address is this machine's on Linux), so that a crowd of customers is not one address
   * over the service's per-address connection cap (SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS, 1,000 by default):
   * 2,000 customers arrive from 16 addresses, 125 each, as customers behind a few carriers' NATs would.
   * {@code -DlocalAddresses=a,b,...} sets them; {@code -DlocalAddresses=} leaves the choice to the OS.
   */
  static final List<String> LOCAL_ADDRESSES = localAddresses();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern ID = Pattern.compile("\"promotionId\":\"([0-9a-f-]{36})\"");
  private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z]+)\"");

  private Target() {
  }

  private static List<String> localAddresses() {
    String given = System.getProperty("localAddresses");
    if (given != null) {
      return Arrays.stream(given.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
    }
    if (!URI.create(COMMAND).getHost().startsWith("127.")) {
      return List.of();
    }
    return IntStream.rangeClosed(1, 16).mapToObj(i -> "127.0.0." + i).toList();
  }

  static int intProperty(String name, int fallback) {
    return Integer.parseInt(System.getProperty(name, String.valueOf(fallback)));
  }

  /** Creates a promotion open now for {@code minutes}; waits (at most 10 s) until it is active on both sides. */
  static String openPromotion(int coupons, int minutes) {
    Instant now = Instant.now();
    String body = "{\"numberOfCoupons\":" + coupons + ",\"discount\":0.8,\"publishTime\":\"" + now
        + "\",\"finishTime\":\"" + now.plusSeconds(60L * minutes) + "\"}";
    HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(ADMIN + "/admin/promotions"))
        .header("Authorization", "Bearer " + Identity.ADMIN_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    if (created.statusCode() != 201) {
      throw new IllegalStateException("creating a promotion answered " + created.statusCode() + ": " + created.body());
    }
    Matcher id = ID.matcher(created.body());
    if (!id.find()) {
      throw new IllegalStateException("no promotionId in " + created.body());
    }
    String promotionId = id.group(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> got = send(HttpRequest.newBuilder(URI.create(ADMIN + "/admin/promotions/" + promotionId))
          .header("Authorization", "Bearer " + Identity.ADMIN_TOKEN).build());
      Matcher status = STATUS.matcher(got.body());
      HttpResponse<String> visible = send(HttpRequest.newBuilder(
          URI.create(QUERY + "/query/promotions/" + promotionId)).build());
      if (status.find() && status.group(1).equals("active") && visible.statusCode() == 200) {
        return promotionId;
      }
      pause();
    }
    throw new IllegalStateException("promotion " + promotionId + " not active in the admin and query APIs within 10 s");
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.uri() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
