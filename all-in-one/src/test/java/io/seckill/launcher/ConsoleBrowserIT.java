package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import io.seckill.shared.promotion.PromotionTerms;

/**
 * The operator console in a real browser (SPEC §9, [S12]): Debian's chromium, headless, on a system that is its own
 * identity issuer. An operator signs in (development sign-in), creates a promotion through the form (a refused field
 * shows the API's message next to it), opens its live view while a burst of a few thousand grabs runs, and the page's
 * figures are checked against the grabs' answers, WriteDB, the query API and the audit; a running sale is cancelled
 * from its live view and the page shows its finish event; the cluster and read-model views show the leases, the
 * audit and a rebuild to its end. Screenshots at desktop and phone widths go to target/console-screenshots/.
 */
class ConsoleBrowserIT {
  private static final int COUPONS = 1_000;
  private static final int CROWD = 3_000;
  private static Vertx vertx;
  private static WebClient client;
  private static RunningSystem system;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    client = Async.client(vertx, 64);
    system = RunningSystem.start("admin,command,query,event", Map.of());
    browser = Browser.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (system != null) {
      system.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static String console() {
    return "http://127.0.0.1:" + system.config.adminPort() + "/console/";
  }

  private static void signIn(String name) {
    browser.driver.get(console());
    browser.until(20, "the sign-in form", d -> d.findElement(By.id("dev-name")).isDisplayed());
    browser.find("#dev-name").sendKeys(name, org.openqa.selenium.Keys.ENTER);   // by keyboard
    browser.until(20, "the promotions page", d -> d.findElement(By.id("new-promotion")).isDisplayed());
  }

  /** Sets a form field's value as a person would leave it (datetime-local inputs take their local text). */
  private static void fill(String id, String value) {
    browser.driver.executeScript("const i = document.getElementById(arguments[0]); i.value = arguments[1];", id, value);
  }

  private static String localInput(Instant instant) {
    return (String) browser.driver.executeScript("const d = new Date(arguments[0]);"
        + " return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);",
        instant.toString());
  }

  private static long number(String css) {
    return Long.parseLong(browser.find(css).getText().replace(",", "").trim());
  }

  @Test
  void anOperatorRunsASaleFromTheConsole() throws Exception {
    signIn("ops");
    assertThat(browser.find("#who").getText()).isEqualTo("Signed in as ops");
    browser.screenshots("01-promotions-empty");

    // a promotion through the form; a refused field first shows the API's own message beside it
    browser.find("#new-promotion").click();
    browser.until(10, "the promotion form", d -> d.findElement(By.id("promotion-form")).isDisplayed());
    fill("f-numberOfCoupons", "0");
    browser.find("#save").click();
    browser.until(10, "the field's error", d -> !d.findElement(By.id("e-numberOfCoupons")).getText().isBlank());
    assertThat(browser.find("#e-numberOfCoupons").getText()).isEqualTo("numberOfCoupons must be between 1 and "
        + PromotionTerms.MAX_COUPONS);
    assertThat(browser.find("#f-numberOfCoupons").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.find("#alert").getText()).doesNotContain("{").doesNotContain("\"error\"");
    browser.screenshots("02-form-refused");
    fill("f-numberOfCoupons", String.valueOf(COUPONS));
    fill("f-discount", "0.7");
    fill("f-publishTime", localInput(Instant.now().minusSeconds(1)));
    fill("f-finishTime", localInput(Instant.now().plusSeconds(3600)));
    browser.find("#save").click();
    String created = browser.until(10, "the promotion created", d -> {
      String text = d.findElement(By.id("alert")).getText();
      return text.startsWith("Created promotion ") ? text : null;
    });
    UUID sale = UUID.fromString(created.substring("Created promotion ".length(), created.length() - 1));
    browser.until(10, "the new promotion in the list",
        d -> d.findElement(By.cssSelector("tr[data-promotion='" + sale + "']")).isDisplayed());
    JsonObject stored = Async.await(system.admin(client, HttpMethod.GET, "/admin/promotions/" + sale, null))
        .bodyAsJsonObject();
    assertThat(stored.getInteger("numberOfCoupons")).isEqualTo(COUPONS);
    assertThat(stored.getDouble("discount")).isEqualTo(0.7);

    // the live view, then the burst
    browser.driver.get(console() + "#/live/" + sale);
    browser.waitText(20, "#live-left", "1,000");
    browser.until(20, "the sale running", d -> d.findElement(By.id("live-banner")).getText().startsWith("Running"));
    Map<String, Integer> answers = burst(sale);
    int accepted = answers.getOrDefault("200", 0);
    int soldOut = answers.getOrDefault("out_of_stock", 0);
    assertThat(accepted).as("answers " + answers).isEqualTo(COUPONS);
    assertThat(accepted + soldOut).as("answers " + answers).isEqualTo(CROWD);

    // the page's figures against the answers, WriteDB (through the admin API's count of grabs), the query API
    browser.waitText(30, "#live-granted", "1,000");
    browser.waitText(30, "#live-left", "0");
    browser.until(30, "every answer counted", d -> d.findElement(By.id("live-accepted-sub")).getText()
        .equals(String.format("%,d in all", accepted)) && d.findElement(By.id("live-out-of-stock-sub")).getText()
        .equals(String.format("%,d in all", soldOut)));
    browser.until(30, "the sold-out finish", d -> d.findElement(By.id("live-banner")).getText()
        .startsWith("Finished: the finish event (sold_out) was written at "));
    HttpResponse<Buffer> query = Async.await(client.get(system.config.queryPort(), "127.0.0.1",
        "/query/promotions/" + sale).send());
    assertThat(query.statusCode()).as("a finished sale is not active").isEqualTo(404);
    browser.until(60, "the audit's verdict", d -> "consistent".equals(
        d.findElement(By.id("live-audit-verdict")).getAttribute("data-verdict")));
    assertThat(browser.find("#live-audit-verdict").getText())
        .contains("WriteDB: 1,000 grabs, finished").contains("ReadDB: 1,000 coupons");
    assertThat(browser.find("#live-members").getText()).isEqualTo("1 of 1");
    browser.screenshots("03-live-sold-out");

    // a running sale cancelled from its live view: confirm, then the finish event shows
    UUID running = create(50);
    browser.driver.get(console() + "#/live/" + running);
    browser.until(20, "the cancel button", d -> d.findElement(By.id("live-cancel")).isDisplayed());
    browser.screenshots("04-live-running");
    browser.find("#live-cancel").click();
    browser.until(10, "the confirm step", d -> d.findElement(By.id("confirm")).isDisplayed());
    // by keyboard: the safe choice has the focus, Tab moves to the other
    assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-no");
    browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
    assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-yes");
    browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
    String finished = browser.until(20, "the finish event", d -> {
      String text = d.findElement(By.id("live-banner")).getText();
      return text.startsWith("Finished: the finish event (cancelled) was written at ") ? text : null;
    });
    assertThat(browser.find("#alert").getText()).startsWith("The sale is cancelled: its finish event was written at");
    HttpResponse<Buffer> grab = Async.await(client.post(system.config.commandPort(), "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(TestInfra.token("late-" + running))
        .sendJsonObject(new JsonObject().put("promotionId", running.toString())));
    assertThat(grab.statusCode()).as(finished).isIn(400, 429);
    browser.screenshots("05-live-cancelled");

    // the promotions list shows both finished; the cluster; the read model's audit and a rebuild
    browser.find("#nav a[href='#/promotions']").click();
    browser.until(10, "the list", d -> d.findElement(By.cssSelector("tr[data-promotion='" + running + "']"))
        .getText().contains("finished"));
    browser.screenshots("06-promotions");
    browser.find("#nav a[href='#/cluster']").click();
    browser.until(20, "the partitions", d -> d.findElements(By.cssSelector("#partitions tbody tr")).size()
        == system.config.lease().partitions());
    assertThat(browser.find("#holders").getText()).startsWith("Holders: ");
    assertThat(browser.find("#members").getText()).contains("healthy");
    browser.screenshots("07-cluster");
    browser.find("#nav a[href='#/read-model']").click();
    browser.until(10, "the audit button", d -> d.findElement(By.id("run-audit")).isDisplayed());
    browser.find("#run-audit").click();
    browser.until(60, "the audit", d -> "consistent".equals(d.findElement(By.id("audit-verdict"))
        .getAttribute("data-verdict")));
    WebElement row = browser.until(10, "the sale's row", d -> d.findElements(By.cssSelector("#audit-promotions tr"))
        .stream().filter(r -> r.getText().startsWith(sale.toString().substring(0, 8))).findFirst().orElse(null));
    assertThat(row.getText()).contains("consistent").contains("1,000");
    browser.find("#start-rebuild").click();
    browser.until(10, "the confirm step", d -> d.findElement(By.id("confirm")).isDisplayed());
    browser.find("#confirm-yes").click();
    browser.until(120, "the rebuild swapped in", d -> "swapped".equals(d.findElement(By.id("rebuild-state"))
        .getAttribute("data-state")));
    assertThat(browser.find("#rebuild-progress").getAttribute("value")).isEqualTo("1");
    browser.screenshots("08-read-model");

    // signing out leaves no way back in without signing in again
    browser.find("#sign-out").click();
    browser.until(10, "the sign-in form", d -> d.findElement(By.id("dev-name")).isDisplayed());
    browser.driver.get(console() + "#/cluster");
    browser.until(10, "the sign-in form", d -> d.findElement(By.id("dev-name")).isDisplayed());
  }

  @Test
  void aMembersTalliesAreForAdminsOnly() {
    String path = "/command/stats";
    HttpResponse<Buffer> anonymous = Async.await(client.get(system.config.commandPort(), "127.0.0.1", path).send());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<Buffer> customer = Async.await(client.get(system.config.commandPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TestInfra.token("curious")).send());
    assertThat(customer.statusCode()).isEqualTo(403);
    assertThat(customer.bodyAsJsonObject().getString("error")).isEqualTo("forbidden");
    HttpResponse<Buffer> bad = Async.await(client.get(system.config.commandPort(), "127.0.0.1", path + "?promotionId=x")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
    HttpResponse<Buffer> admin = Async.await(client.get(system.config.commandPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send());
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.bodyAsJsonObject().getJsonArray("bucketsMs")).isNotEmpty();
  }

  /** {@link #CROWD} customers at once, each grabbing one coupon: the answers, counted by status or error code. */
  private static Map<String, Integer> burst(UUID promotion) {
    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < CROWD; i++) {
      tokens.add(TestInfra.token("crowd-" + promotion.toString().substring(0, 8) + "-" + i));
    }
    JsonObject body = new JsonObject().put("promotionId", promotion.toString());
    for (String token : tokens) {
      grabs.add(client.post(system.config.commandPort(), "127.0.0.1", "/command/coupons")
          .bearerTokenAuthentication(token).sendJsonObject(body));
    }
    Async.await(Future.join(grabs), Duration.ofSeconds(120));
    Map<String, Integer> answers = new TreeMap<>();
    for (Future<HttpResponse<Buffer>> grab : grabs) {
      HttpResponse<Buffer> answer = grab.result();
      String key = answer == null ? "lost" : answer.statusCode() == 200 ? "200"
          : answer.bodyAsJsonObject().getString("error");
      answers.merge(key, 1, Integer::sum);
    }
    return answers;
  }

  private static UUID create(int coupons) {
    HttpResponse<Buffer> created = Async.await(system.admin(client, HttpMethod.POST, "/admin/promotions",
        new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5)
            .put("publishTime", Instant.now().minusSeconds(1).toString())
            .put("finishTime", Instant.now().plusSeconds(3600).toString())));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return UUID.fromString(created.bodyAsJsonObject().getString("promotionId"));
  }
}
