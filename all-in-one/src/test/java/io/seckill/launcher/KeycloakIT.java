package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.regex.Pattern;
import java.util.regex.Matcher;
import java.util.UUID;
import io.vertx.core.http.HttpMethod;

/**
 * A real Keycloak (SPEC §9, [S12]): {@code org.keycloak:keycloak-quarkus-dist} from Maven Central (unpacked by the
 * build before the ITs), started with {@code kc.sh start-dev} on a Java 21+ JDK on loopback, the realm
 * {@code docker/keycloak/shop-realm.json} imported at start (its users' passwords from the environment: generated
 * here). Every role of the system is configured for it as production would be ({@code SECKILL_OIDC_*}), and tokens
 * come from Keycloak's own token endpoint: an admin's token is accepted by the admin and event services, customers'
 * by command and query; a customer's token is refused on admin; Keycloak's tokens that are not for this API (another
 * client without the audience, another realm's super admin) and a tampered one are refused everywhere.
 */
class KeycloakIT {
  private static final Path REALM = Path.of("..", "docker", "keycloak", "shop-realm.json").toAbsolutePath().normalize();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static Process keycloak;
  private static int port;
  private static Vertx vertx;
  private static WebClient client;
  private static RunningSystem system;
  private static final Map<String, String> PASSWORDS = new HashMap<>();

  private static String secret() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Path keycloakHome() {
    Path home = Path.of(System.getProperty("seckill.keycloak.home", "target/keycloak/keycloak-26.5.6"));
    if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
      unavailable("no Keycloak distribution at " + home + " (mvn verify unpacks it before the ITs)");
    }
    return home;
  }

  /** A JDK of release 21 or later (Keycloak 26 needs one): SECKILL_KEYCLOAK_JAVA_HOME, or one under /usr/lib/jvm. */
  private static Path java21() throws IOException {
    String configured = System.getenv("SECKILL_KEYCLOAK_JAVA_HOME");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> all = Files.list(jvms)) {
        Optional<Path> found = all.filter(p -> Files.isExecutable(p.resolve("bin/java")) && release(p) >= 21)
            .max((a, b) -> Integer.compare(release(a), release(b)));
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    unavailable("no JDK 21+ for Keycloak (set SECKILL_KEYCLOAK_JAVA_HOME, or install one under /usr/lib/jvm)");
    return null;
  }

  private static int release(Path jdk) {
    try {
      for (String line : Files.readAllLines(jdk.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          return Integer.parseInt(line.replaceAll("[^0-9.]", "").split("\\.")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private static void unavailable(String why) {
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(why);
    }
    Assumptions.abort(why);
  }

  @BeforeAll
  static void start() throws Exception {
    Path home = keycloakHome();
    Path jdk = java21();
    Files.createDirectories(home.resolve("data/import"));
    Files.copy(REALM, home.resolve("data/import/shop-realm.json"), StandardCopyOption.REPLACE_EXISTING);
    port = TestInfra.freePort();
    int management = TestInfra.freePort();
    var config = TestInfra.freshConfig();
    PASSWORDS.put("ops", secret());
    PASSWORDS.put("alice", secret());
    PASSWORDS.put("bob", PASSWORDS.get("alice"));
    PASSWORDS.put("master", secret());
    ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + management, "--db=dev-mem",
        "--import-realm", "--log-level=warn")
        .redirectErrorStream(true).redirectOutput(Path.of("target", "keycloak-it.log").toFile());
    builder.environment().put("JAVA_HOME", jdk.toString());
    // Keycloak's threads reset thread locals by reflection, which Java 24+ allows only when asked
    builder.environment().put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "master-admin");
    builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", PASSWORDS.get("master"));
    builder.environment().put("SECKILL_KC_ADMIN_PASSWORD", PASSWORDS.get("ops"));
    builder.environment().put("SECKILL_KC_CUSTOMER_PASSWORD", PASSWORDS.get("alice"));
    builder.environment().put("SECKILL_CONSOLE_URL", "http://127.0.0.1:" + config.adminPort() + "/console");
    builder.environment().put("SECKILL_SHOP_URL", "http://127.0.0.1:" + config.queryPort() + "/shop");
    keycloak = builder.start();
    vertx = Vertx.vertx();
    client = Async.client(vertx, 32);
    String realm = "http://127.0.0.1:" + port + "/realms/shop";
    Async.await(Async.eventually(vertx, Duration.ofSeconds(180), () -> {
      if (!keycloak.isAlive()) {
        throw new Async.GiveUp("Keycloak exited: see target/keycloak-it.log");
      }
      return client.get(port, "127.0.0.1", "/realms/shop/.well-known/openid-configuration").send()
          .map(r -> r.statusCode() == 200).otherwise(false);
    }), Duration.ofSeconds(190));

    Map<String, String> env = new HashMap<>();
    env.put("SECKILL_OIDC_JWKS_URL", realm + "/protocol/openid-connect/certs");
    env.put("SECKILL_OIDC_ISSUER", realm);
    env.put("SECKILL_OIDC_AUDIENCE", "seckill");
    env.put("SECKILL_OIDC_ROLES_CLAIM", "realm_access.roles");
    system = RunningSystem.start(config, "admin,command,query,event", env);
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    if (keycloak != null) {
      keycloak.descendants().forEach(ProcessHandle::destroy);
      keycloak.destroy();
      if (!keycloak.waitFor(20, TimeUnit.SECONDS)) {
        keycloak.descendants().forEach(ProcessHandle::destroyForcibly);
        keycloak.destroyForcibly();
      }
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** An access token from Keycloak's token endpoint (resource owner password grant). */
  private static JsonObject token(String realm, String clientId, String user) {
    HttpResponse<Buffer> r = Async.await(client.post(port, "127.0.0.1", "/realms/" + realm
            + "/protocol/openid-connect/token")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "password").add("client_id", clientId)
            .add("username", user).add("password", PASSWORDS.get(user)).add("scope", "openid")));
    assertThat(r.statusCode()).as("token for " + user + " from " + clientId + ": " + r.bodyAsString()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    String[] parts = body.getString("access_token").split("\\.");
    return new JsonObject().put("token", body.getString("access_token"))
        .put("claims", new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)));
  }

  private static HttpResponse<Buffer> call(HttpMethod method, int servicePort, String path,
                                           String token, JsonObject body) {
    var request = client.request(method, servicePort, "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return Async.await(body == null ? request.send() : request.sendJsonObject(body));
  }

  @Test
  void keycloaksTokensAreAcceptedByEveryServiceForWhatTheirRolesAllow() {
    var get = HttpMethod.GET;
    var post = HttpMethod.POST;
    var ports = system.config;
    JsonObject ops = token("shop", "seckill-cli", "ops");
    JsonObject alice = token("shop", "seckill-cli", "alice");
    JsonObject bob = token("shop", "seckill-cli", "bob");
    assertThat(ops.getJsonObject("claims").getJsonObject("realm_access").getJsonArray("roles").getList())
        .contains("seckill-admin");
    assertThat(alice.getJsonObject("claims").getValue("aud").toString()).contains("seckill");
    String aliceId = alice.getJsonObject("claims").getString("sub");
    String bobId = bob.getJsonObject("claims").getString("sub");

    // the admin: a promotion created through the admin service, the read model's audit on the event service
    HttpResponse<Buffer> created = call(post, ports.adminPort(), "/admin/promotions", ops.getString("token"),
        new JsonObject().put("numberOfCoupons", 10).put("discount", 0.5).put("publishTime", Instant.now().toString())
            .put("finishTime", Instant.now().plusSeconds(3600).toString()));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String sale = created.bodyAsJsonObject().getString("promotionId");
    assertThat(call(get, ports.eventPort(), "/read-model/audit", ops.getString("token"), null).statusCode())
        .isEqualTo(200);

    // a customer's Keycloak token on the admin side: refused
    assertThat(call(post, ports.adminPort(), "/admin/promotions", alice.getString("token"),
        new JsonObject().put("numberOfCoupons", 1).put("discount", 0.5).put("publishTime", Instant.now().toString())
            .put("finishTime", Instant.now().plusSeconds(60).toString())).statusCode()).isEqualTo(403);
    assertThat(call(get, ports.adminPort(), "/admin/promotions", alice.getString("token"), null).statusCode())
        .isEqualTo(403);
    assertThat(call(get, ports.eventPort(), "/read-model/audit", alice.getString("token"), null).statusCode())
        .isEqualTo(403);

    // customers: alice grabs with her identity token, bob with a ticket he got for his; each reads only their own
    Async.await(Async.eventually(vertx, Duration.ofSeconds(15), () -> client.post(ports.commandPort(), "127.0.0.1",
            "/command/coupons").bearerTokenAuthentication(alice.getString("token"))
        .sendJsonObject(new JsonObject().put("promotionId", sale)).map(r -> {
          if (r.statusCode() != 200 && !"promotion_not_active".equals(r.bodyAsJsonObject().getString("error"))) {
            throw new Async.GiveUp("alice's grab: " + r.statusCode() + " " + r.bodyAsString());
          }
          return r.statusCode() == 200;
        })));
    HttpResponse<Buffer> again = call(post, ports.commandPort(), "/command/coupons", alice.getString("token"),
        new JsonObject().put("promotionId", sale));
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
    HttpResponse<Buffer> ticket = call(post, ports.commandPort(), "/command/tickets", bob.getString("token"),
        new JsonObject().put("promotionId", sale));
    assertThat(ticket.statusCode()).as(ticket.bodyAsString()).isEqualTo(201);
    assertThat(ticket.bodyAsJsonObject().getString("customerId")).isEqualTo(bobId);
    assertThat(call(post, ports.commandPort(), "/command/coupons", ticket.bodyAsJsonObject().getString("ticket"),
        new JsonObject().put("promotionId", sale)).statusCode()).isEqualTo(200);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(ports.queryPort(), "127.0.0.1",
            "/query/coupons/" + aliceId).bearerTokenAuthentication(alice.getString("token")).send()
        .map(r -> r.statusCode() == 200 && r.bodyAsString().contains(sale))));
    assertThat(call(get, ports.queryPort(), "/query/coupons/" + bobId, alice.getString("token"), null).statusCode())
        .isEqualTo(403);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(ports.queryPort(), "127.0.0.1",
            "/query/coupons/" + bobId).bearerTokenAuthentication(bob.getString("token")).send()
        .map(r -> r.statusCode() == 200 && r.bodyAsString().contains(sale))));
  }

  @Test
  void keycloaksTokensThatAreNotForThisApiAreRefusedEverywhere() {
    var get = HttpMethod.GET;
    var ports = system.config;
    // admin-cli exists in every realm, public, with the password grant, and adds no "seckill" audience
    String noAudience = token("shop", "admin-cli", "ops").getString("token");
    // the master realm's own super admin: another issuer
    PASSWORDS.put("master-admin", PASSWORDS.get("master"));
    String otherRealm = token("master", "admin-cli", "master-admin").getString("token");
    String good = token("shop", "seckill-cli", "ops").getString("token");
    String tampered = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (String refused : List.of(noAudience, otherRealm, tampered)) {
      for (int servicePort : List.of(ports.adminPort(), ports.eventPort())) {
        String path = servicePort == ports.adminPort() ? "/admin/promotions" : "/read-model/audit";
        HttpResponse<Buffer> r = call(get, servicePort, path, refused, null);
        assertThat(r.statusCode()).as(path + " " + r.bodyAsString()).isEqualTo(401);
        assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
      }
      assertThat(call(get, ports.queryPort(), "/query/coupons/someone", refused, null).statusCode()).isEqualTo(401);
      assertThat(call(HttpMethod.POST, ports.commandPort(), "/command/tickets", refused,
          new JsonObject().put("promotionId", UUID.randomUUID().toString())).statusCode()).isEqualTo(401);
    }
  }

  /** The console signs in through Keycloak's own login page (authorization code with PKCE, public client). */
  @Test
  void theConsoleSignsInThroughKeycloaksLoginPage() throws Exception {
    var ports = system.config;
    String console = "http://127.0.0.1:" + ports.adminPort() + "/console/";
    JsonObject settings = call(HttpMethod.GET, ports.adminPort(), "/console/config.json", null, null)
        .bodyAsJsonObject();
    assertThat(settings.getString("signIn")).isEqualTo("oidc");
    assertThat(settings.getString("clientId")).isEqualTo("seckill-console");
    var devSignIn = call(HttpMethod.POST, ports.adminPort(), "/console/dev-sign-in", null,
        new JsonObject().put("name", "intruder"));
    assertThat(devSignIn.statusCode()).as("no development sign-in beside a real identity provider").isEqualTo(404);
    try (Browser browser = Browser.start()) {
      browser.driver.get(console + "#/cluster");
      browser.until(20, "the sign-in button", d -> d.findElement(org.openqa.selenium.By.id("oidc-sign-in")).isDisplayed());
      browser.find("#oidc-sign-in").click();
      keycloakLogin(browser, "ops");
      browser.until(30, "the cluster view after the sign-in", d -> d.findElements(
          org.openqa.selenium.By.cssSelector("#partitions tbody tr")).size() == ports.lease().partitions());
      assertThat(browser.driver.getCurrentUrl()).as("the code is taken out of the URL")
          .isEqualTo(console + "#/cluster");
      assertThat(browser.find("#who").getText()).isEqualTo("Signed in as ops");
      Instant signedIn = Instant.now();
      browser.screenshots("10-keycloak-signed-in");
      // the console's access tokens live 60 s (the realm's setting for this client): the page refreshes its token
      // in the background, so the cluster view (refreshed every 2 s) goes on past the first token's end
      browser.until(100, "the cluster view still refreshing 70 s after the sign-in", d -> {
        String shown = d.findElement(org.openqa.selenium.By.cssSelector("main p.muted")).getText();
        Matcher at = Pattern.compile("\\((\\S+) (\\S+) UTC\\)").matcher(shown);
        return at.find() && Instant.parse(at.group(1) + "T" + at.group(2) + "Z").isAfter(signedIn.plusSeconds(70));
      });
      assertThat(browser.driver.findElements(org.openqa.selenium.By.id("oidc-sign-in"))).isEmpty();
      browser.find("#nav a[href='#/promotions']").click();
      browser.until(20, "the promotions page", d -> d.findElement(org.openqa.selenium.By.id("new-promotion")).isDisplayed());

      // an administrator ends ops's sessions at Keycloak: the page's next refresh fails, and it says the sign-in
      // expired and offers to sign in again (and back, it is where it was)
      PASSWORDS.putIfAbsent("master-admin", PASSWORDS.get("master"));
      String master = token("master", "admin-cli", "master-admin").getString("token");
      HttpResponse<Buffer> users = Async.await(client.get(port, "127.0.0.1", "/admin/realms/shop/users?username=ops&exact=true")
          .bearerTokenAuthentication(master).send());
      String opsId = users.bodyAsJsonArray().getJsonObject(0).getString("id");
      HttpResponse<Buffer> logout = Async.await(client.post(port, "127.0.0.1", "/admin/realms/shop/users/" + opsId + "/logout")
          .bearerTokenAuthentication(master).send());
      assertThat(logout.statusCode()).as(logout.bodyAsString()).isEqualTo(204);
      browser.until(90, "the sign-in said to have expired", d -> "Your sign-in expired. Sign in again to go on."
          .equals(d.findElement(org.openqa.selenium.By.id("signin-notice")).getText()));
      browser.screenshots("12-keycloak-session-expired");
      browser.find("#oidc-sign-in").click();
      keycloakLogin(browser, "ops");
      browser.until(30, "back at the promotions page", d -> d.findElement(org.openqa.selenium.By.id("new-promotion")).isDisplayed());
      browser.find("#sign-out").click();
      browser.until(30, "back at the console, signed out", d -> d.getCurrentUrl().startsWith(console)
          && d.findElement(org.openqa.selenium.By.id("oidc-sign-in")).isDisplayed());

      // a customer gets through Keycloak, and then a clear refusal, not a blank page
      browser.find("#oidc-sign-in").click();
      keycloakLogin(browser, "alice");
      browser.until(30, "the refusal", d -> d.findElement(org.openqa.selenium.By.id("not-operator")).isDisplayed());
      assertThat(browser.find("#not-operator").getText()).startsWith("You are signed in as alice, but this console is"
          + " for operators (role seckill-admin).");
      assertThat(browser.find("#nav").isDisplayed()).isFalse();
      browser.screenshots("11-keycloak-not-an-operator");
    }
  }

  /**
   * The shop front signs a customer in through Keycloak's login page too (its own public client, seckill-shop, with
   * PKCE), then reads that customer's coupons with the token; the code leaves the URL and no token is stored.
   */
  @Test
  void theShopFrontSignsACustomerInThroughKeycloaksLoginPage() throws Exception {
    int query = system.config.queryPort();
    JsonObject settings = call(HttpMethod.GET, query, "/shop/config.json", null, null)
        .bodyAsJsonObject();
    assertThat(settings.getString("signIn")).isEqualTo("oidc");
    assertThat(settings.getString("clientId")).isEqualTo("seckill-shop");
    assertThat(call(HttpMethod.POST, query, "/shop/dev-sign-in", null,
        new JsonObject().put("name", "intruder")).statusCode()).as("no development sign-in beside Keycloak")
        .isEqualTo(404);
    try (Browser browser = Browser.start()) {
      String shop = "http://127.0.0.1:" + query + "/shop/";
      browser.driver.get(shop + "#/coupons");
      browser.until(20, "the sign-in button", d -> d.findElement(org.openqa.selenium.By.id("oidc-sign-in"))
          .isDisplayed());
      browser.find("#oidc-sign-in").click();
      keycloakLogin(browser, "alice");
      // her coupons as the query API has them (none, or the one an earlier test of this class grabbed with her token)
      browser.until(30, "my coupons after the sign-in",
          d -> d.findElement(org.openqa.selenium.By.id("no-coupons")).isDisplayed()
              || !d.findElements(org.openqa.selenium.By.cssSelector("#coupons li[data-state='confirmed']")).isEmpty());
      assertThat(browser.find("#who").getText()).isEqualTo("alice");
      assertThat(browser.find("#alert").isDisplayed()).as("the coupons were read with alice's token").isFalse();
      assertThat(browser.driver.getCurrentUrl()).isEqualTo(shop + "#/coupons");
      Object kept = browser.driver.executeScript("return localStorage.length + sessionStorage.length;");
      assertThat(((Number) kept).intValue()).as("entries in storage").isZero();
    }
  }

  private static void keycloakLogin(Browser browser, String user) {
    browser.until(30, "Keycloak's login page", d -> d.getCurrentUrl().startsWith("http://127.0.0.1:" + port
        + "/realms/shop/protocol/openid-connect/auth") && d.findElement(org.openqa.selenium.By.id("username")).isDisplayed());
    browser.find("#username").sendKeys(user);
    browser.find("#password").sendKeys(PASSWORDS.get(user));
    browser.find("#kc-login").click();
  }
}
