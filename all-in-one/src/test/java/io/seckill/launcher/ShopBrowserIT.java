package io.seckill.launcher;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.CrashableMariaDb;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WindowType;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop front in a real browser (SPEC §11): Debian's chromium, headless, on a system that is its own identity
 * issuer. Customers open a sale by its link before it opens, sign in, fetch their ticket (a proof-of-work challenge
 * solved in a Web Worker), watch the countdown by the server's clock reach zero and press once each, while a crowd
 * of 2,000 grabs the same 3 coupons over HTTP: each page says what the API answered that customer (WriteDB decides
 * who won), a winner sees the coupon in "My coupons", the others "sold out". Then a grab pressed while WriteDB is
 * down: the page says it waits and tries again as Retry-After says, and shows the coupon once WriteDB is back, never
 * an error of its own. No token is in storage or the URL. Screenshots at 1366 and 390 px go to
 * target/console-screenshots/ (docs/shop/ holds a set).
 */
class ShopBrowserIT {
  private static final int COUPONS = 3;
  private static final int CROWD = 2_000;
  private static final List<String> SHOPPERS = List.of("shopper-1", "shopper-2", "shopper-3", "shopper-4");
  private static final Set<String> UNDECIDED = Set.of("preparing", "retrying");

  private final Closer closer = new Closer();
  private Vertx vertx;
  private WebClient client;
  private RunningSystem system;
  private Browser browser;

  @BeforeEach
  void start() throws Exception {
    vertx = closer.vertx();
    client = Async.client(vertx, 64);
    browser = closer.add(Browser.start());
  }

  @AfterEach
  void stop() throws Exception {
    closer.close();
  }

  private String shop(String promotionId) {
    return "http://127.0.0.1:" + system.config.queryPort() + "/shop/#/sale/" + promotionId;
  }

  /** A promotion of {@code coupons} opening {@code inSeconds} from now, for an hour. */
  private String promotion(int coupons, long inSeconds) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> client.get(system.config.commandPort(),
        "127.0.0.1", "/health").send().map(r -> r.statusCode() == 200).otherwise(false)));
    JsonObject body = new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.7)
        .put("publishTime", Instant.now().plusSeconds(inSeconds).toString())
        .put("finishTime", Instant.now().plusSeconds(3600).toString());
    HttpResponse<Buffer> created = Async.await(system.admin(client, HttpMethod.POST, "/admin/promotions", body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("promotionId");
  }

  /** In the current tab: the sale's link, the development sign-in by keyboard, the sale's card. */
  private void openAndSignIn(String promotionId, String name) {
    browser.driver.get(shop(promotionId));
    browser.until(20, "the sign-in form", d -> d.findElement(By.id("dev-name")).isDisplayed());
    browser.find("#dev-name").sendKeys(name, Keys.ENTER);
    browser.until(20, "the sale's card", d -> d.findElement(By.id("sale-" + promotionId)).isDisplayed());
    assertThat(browser.find("#who").getText()).isEqualTo(name);
  }

  private String outcome(String promotionId) {
    return browser.find("#sale-" + promotionId + " .answer").getDomAttribute("data-outcome");
  }

  /** Waits in the current tab for the grab's final answer (not "getting ready", not "trying again"). */
  private String decided(String promotionId, int seconds) {
    return browser.until(seconds, "the grab's answer on the page (now '" + browser.safeText("#sale-" + promotionId
        + " .answer") + "')", d -> {
      String outcome = outcome(promotionId);
      return outcome == null || UNDECIDED.contains(outcome) ? null : outcome;
    });
  }

  private void noTokenKept() {
    Object kept = browser.driver.executeScript("return localStorage.length + sessionStorage.length;");
    assertThat(((Number) kept).intValue()).as("entries in storage").isZero();
    assertThat(browser.driver.getCurrentUrl()).doesNotContain("eyJ");
  }

  private Set<String> winners(Pool writeDb, String promotionId) {
    Set<String> winners = new HashSet<>();
    for (Row row : Async.await(writeDb.preparedQuery("SELECT customer_id FROM events WHERE promotion_id = ?"
        + " AND type = 'CouponGrabbedEvent'").execute(Tuple.of(promotionId)))) {
      winners.add(row.getString(0));
    }
    return winners;
  }

  @Test
  void customersGrabFromTheirPagesWhileACrowdGrabsOverHttp() throws Exception {
    system = closer.add(RunningSystem.start("admin,command,query,event",
        Map.of("SECKILL_TICKET_CHALLENGE", "pow")));
    String sale = promotion(COUPONS, 25);
    Map<String, String> tabs = new LinkedHashMap<>();
    for (String shopper : SHOPPERS) {
      if (!tabs.isEmpty()) {
        browser.driver.switchTo().newWindow(WindowType.TAB);
      }
      tabs.put(shopper, browser.driver.getWindowHandle());
      openAndSignIn(sale, shopper);
    }
    // each page fetched its ticket ahead, through the challenge, and counts down to the publish time
    for (Map.Entry<String, String> tab : tabs.entrySet()) {
      browser.driver.switchTo().window(tab.getValue());
      browser.until(30, tab.getKey() + "'s ticket", d -> "yes".equals(d.findElement(By.id("sale-" + sale))
          .getDomAttribute("data-ticket")));
      assertThat(browser.find("#sale-" + sale).getDomAttribute("data-challenge")).isEqualTo("solved");
      assertThat(browser.find("#sale-" + sale + " .countdown").getText()).startsWith("Opens in ");
      assertThat(browser.find("#sale-" + sale + " button.grab").isEnabled()).isFalse();
      noTokenKept();
    }
    browser.screenshots("shop-01-countdown");
    for (int i = 1; i <= CROWD; i++) {
      TestInfra.token("crowd-" + i); // minted ahead: the crowd's first requests are not held up by RSA signing
    }
    browser.until(40, "the countdown at zero", d -> "open".equals(d.findElement(By.cssSelector("#sale-" + sale
        + " .countdown")).getDomAttribute("data-state")));

    // the pages press one after another (a driver clicks one tab at a time) and the crowd comes with them
    for (String handle : tabs.values()) {
      browser.driver.switchTo().window(handle);
      browser.until(5, "the grab button enabled", d -> d.findElement(By.cssSelector("#sale-" + sale
          + " button.grab")).isEnabled());
      browser.find("#sale-" + sale + " button.grab").click();
    }
    Crowd crowd = new Crowd(vertx, client, () -> List.of(system.config.commandPort()), sale, "crowd-", 64, CROWD);
    Map<String, String> outcomes = new LinkedHashMap<>();
    for (Map.Entry<String, String> tab : tabs.entrySet()) {
      browser.driver.switchTo().window(tab.getValue());
      outcomes.put(tab.getKey(), decided(sale, 60));
    }
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60),
        () -> Future.succeededFuture(crowd.requests.get() >= CROWD && crowd.inFlight.get() == 0)));
    crowd.stop();
    assertThat(crowd.violations).isEmpty();

    Pool writeDb = system.writeDb(vertx);
    Set<String> winners = winners(writeDb, sale);
    assertThat(winners).as("exactly the stock granted").hasSize(COUPONS);
    Set<String> granted = new HashSet<>(crowd.accepted);
    for (Map.Entry<String, String> shopper : outcomes.entrySet()) {
      String expected = winners.contains(shopper.getKey()) ? "granted" : "out_of_stock";
      assertThat(shopper.getValue()).as(shopper.getKey() + "'s page says what the API answered").isEqualTo(expected);
      if (expected.equals("granted")) {
        granted.add(shopper.getKey());
      }
    }
    assertThat(granted).as("every winner got its 200, from the crowd or a page").isEqualTo(winners);

    for (Map.Entry<String, String> tab : tabs.entrySet()) {
      browser.driver.switchTo().window(tab.getValue());
      String text = browser.safeText("#sale-" + sale + " .answer");
      if (winners.contains(tab.getKey())) {
        assertThat(text).startsWith("You got it! Coupon #").endsWith("30% off. It is in My coupons.");
        browser.find("#nav a[href='#/coupons']").click();
        browser.until(20, tab.getKey() + "'s coupon confirmed by the query API", d -> "confirmed".equals(
            d.findElement(By.cssSelector("#coupons li[data-promotion='" + sale + "']")).getDomAttribute("data-state")));
      } else {
        assertThat(text).isEqualTo("Sold out. Every coupon of this sale has been taken.");
        assertThat(browser.find("#sale-" + sale + " button.grab").isEnabled()).as("one press, one grab").isFalse();
      }
      noTokenKept();
    }
    browser.driver.switchTo().window(tabs.get(SHOPPERS.get(SHOPPERS.size() - 1)));
    browser.find("#nav a[href='#/']").click();
    browser.until(10, "the sale's card", d -> d.findElement(By.id("sale-" + sale)).isDisplayed());
    browser.screenshots("shop-02-answered");
    Async.await(writeDb.close());
  }

  @Test
  void aGrabPressedWhileWriteDbIsDownWaitsAndTriesAgainAsRetryAfterSays() throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    CrashableMariaDb crashable = closer.add(CrashableMariaDb.start(Path.of("target", "shop-mariadb-" + suffix),
        List.of("w_shop", "r_shop")));
    SecKillConfig config = TestInfra.freshConfig().withDatabases(
        new DbConfig("127.0.0.1", crashable.port(), "w_shop", "root", "", 4),
        new DbConfig("127.0.0.1", crashable.port(), "r_shop", "root", "", 4));
    system = closer.add(RunningSystem.start(config, "admin,command,query,event", Map.of()));
    String sale = promotion(100, 0);
    openAndSignIn(sale, "patient-1");
    browser.until(30, "the sale open", d -> d.findElement(By.cssSelector("#sale-" + sale + " button.grab"))
        .isEnabled());

    crashable.kill();
    browser.find("#sale-" + sale + " button.grab").click();
    browser.until(20, "the page saying it tries again", d -> "retrying".equals(outcome(sale)));
    String waiting = browser.safeText("#sale-" + sale + " .answer");
    assertThat(waiting).matches("(The shop is busy|No answer from the shop); trying again in \\d+ s…");
    browser.screenshots("shop-04-retrying");
    crashable.restart();
    assertThat(decided(sale, 60)).as("the grab taken once WriteDB is back").isEqualTo("granted");
    Pool writeDb = system.writeDb(vertx);
    assertThat(winners(writeDb, sale)).containsExactly("patient-1");
    Async.await(writeDb.close());
    // "My coupons" shows the coupon the grab answered at once, confirmed once the query API has it
    browser.find("#nav a[href='#/coupons']").click();
    browser.until(20, "the coupon confirmed by the query API", d -> "confirmed".equals(
        d.findElement(By.cssSelector("#coupons li[data-promotion='" + sale + "']")).getDomAttribute("data-state")));
    assertThat(browser.safeText("#coupons li[data-promotion='" + sale + "']")).startsWith("30% off coupon #");
    browser.screenshots("shop-03-my-coupons");
    noTokenKept();
  }
}
