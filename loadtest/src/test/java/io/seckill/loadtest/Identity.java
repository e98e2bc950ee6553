package io.seckill.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;

/**
 * Identity for the simulations, all before the measured part: customers' identity tokens minted by the system's
 * own command ({@code java -jar seckill.jar token ID...}, thousands per call, signed by the development issuer's key
 * in {@code dataDir}), and grab tickets fetched with them from {@code POST /command/tickets}. Properties:
 * {@code jar} (default: {@code all-in-one/target/seckill.jar} of the checkout), {@code dataDir} (default: the
 * checkout's {@code data}, where README's start command keeps it), {@code adminToken} (default: minted the same way).
 * The defaults hold whether Maven runs from the project root ({@code mvn -pl loadtest ...}, as docs/load-tests.md
 * says) or from {@code loadtest/}.
 */
final class Identity {
  private static final String JAR = System.getProperty("jar", inCheckout("all-in-one/target/seckill.jar"));
  private static final String DATA_DIR = System.getProperty("dataDir", inCheckout("data"));
  private static final int IDS_PER_CALL = 2_000;
  private static final int PARALLEL = 64;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern TICKET = Pattern.compile("\"ticket\":\"([A-Za-z0-9_.-]+)\"");
  private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

  static final String ADMIN_TOKEN = adminToken();

  private Identity() {
  }

  /**
   * {@code path} in the checkout: relative to the working directory when that is the project root (it holds
   * {@code loadtest/}), else to its parent (Maven run from {@code loadtest/}).
   */
  private static String inCheckout(String path) {
    Path here = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(here.resolve("loadtest")) ? here : here.getParent();
    return root.resolve(path).toString();
  }

  private static String adminToken() {
    String given = System.getProperty("adminToken");
    if (given != null && !given.isBlank()) {
      return given;
    }
    return mint(List.of("loadtest-admin"), true).get(0);
  }

  /** The identity token of each id (minted once per id; kept for the ledger's reads). */
  static List<String> tokens(List<String> ids) {
    List<String> missing = ids.stream().filter(id -> !TOKENS.containsKey(id)).distinct().toList();
    for (int from = 0; from < missing.size(); from += IDS_PER_CALL) {
      List<String> batch = missing.subList(from, Math.min(missing.size(), from + IDS_PER_CALL));
      List<String> minted = mint(batch, false);
      for (int i = 0; i < batch.size(); i++) {
        TOKENS.put(batch.get(i), minted.get(i));
      }
    }
    return ids.stream().map(TOKENS::get).toList();
  }

  static String token(String id) {
    return tokens(List.of(id)).get(0);
  }

  private static List<String> mint(List<String> ids, boolean admin) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR, "token", "--ttl", "7200"));
    if (admin) {
      command.add("--admin");
    }
    command.addAll(ids);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("SECKILL_DATA_DIR", DATA_DIR);
    try {
      Process process = builder.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("java -jar " + JAR + " token failed (is the jar built, and dataDir "
            + DATA_DIR + " the running system's?)");
      }
      List<String> tokens = out.lines().filter(line -> !line.isBlank()).toList();
      if (tokens.size() != ids.size()) {
        throw new IllegalStateException("the token command printed " + tokens.size() + " tokens for " + ids.size() + " ids");
      }
      return tokens;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run java -jar " + JAR + " token: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A grab ticket of {@code promotionId} for each id (fetched {@value #PARALLEL} at a time), in order. */
  static List<String> tickets(String promotionId, List<String> ids) {
    List<String> tokens = tokens(ids);
    List<String> tickets = new ArrayList<>(ids.size());
    String body = "{\"promotionId\":\"" + promotionId + "\"}";
    for (int from = 0; from < ids.size(); from += PARALLEL) {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = from; i < Math.min(ids.size(), from + PARALLEL); i++) {
        calls.add(ticket(tokens.get(i), body));
      }
      for (int i = 0; i < calls.size(); i++) {
        HttpResponse<String> response = calls.get(i).join();
        // over the service's rate limit (many tickets from one address): ask again after its Retry-After
        for (int tries = 1; response.statusCode() == 429 && tries <= 30; tries++) {
          pause(response.headers().firstValueAsLong("Retry-After").orElse(1));
          response = ticket(tokens.get(from + i), body).join();
        }
        Matcher ticket = TICKET.matcher(response.body());
        if (response.statusCode() != 201 || !ticket.find()) {
          throw new IllegalStateException("a ticket request answered " + response.statusCode() + ": " + response.body());
        }
        tickets.add(ticket.group(1));
      }
    }
    return tickets;
  }

  private static CompletableFuture<HttpResponse<String>> ticket(String token, String body) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(Target.COMMAND + "/command/tickets"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The setup's or the final check's own thread waits (Gatling's load is not running then). */
  static void pause(long seconds) {
    try {
      Thread.sleep(Math.max(1, seconds) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
