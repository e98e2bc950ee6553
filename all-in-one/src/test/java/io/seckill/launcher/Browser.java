package io.seckill.launcher;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;
import java.util.Comparator;
import java.io.OutputStream;

/**
 * Debian's {@code chromium}, headless, driven through its {@code chromedriver} (no download: Selenium Manager is not
 * asked), with a fresh user data dir. Where they are missing the test is skipped, except under {@code CI=true}.
 */
final class Browser implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static Browser start() throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
      String why = "no " + CHROMIUM + " and " + DRIVER + " (apt-get install chromium chromium-driver)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why);
    }
    Path profile = Files.createDirectories(Path.of("target")).resolve("chromium-profile-" + System.nanoTime());
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
            "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1366,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().withLogOutput(OutputStream.nullOutputStream()).build();
    return new Browser(new ChromeDriver(service, options), profile);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** Waits (up to {@code seconds}) until {@code condition} gives a non-null, non-false value, and returns it. */
  <T> T until(int seconds, String what, Function<org.openqa.selenium.WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100)).withMessage(what)
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(condition::apply);
  }

  /** The text of {@code css} once it is {@code expected}. */
  void waitText(int seconds, String css, String expected) {
    until(seconds, css + " shows '" + expected + "' (it shows '" + safeText(css) + "')",
        d -> expected.equals(d.findElement(By.cssSelector(css)).getText().trim()));
  }

  String safeText(String css) {
    try {
      return find(css).getText().trim();
    } catch (RuntimeException e) {
      return "(not there)";
    }
  }

  /** A screenshot of the page as it is, at a desktop (1366 px) and a phone (390 px) width, under target/. */
  void screenshots(String name) {
    shot(name + "-desktop", new Dimension(1366, 900));
    shot(name + "-phone", new Dimension(390, 844));
    driver.manage().window().setSize(new Dimension(1366, 900));
  }

  private void shot(String name, Dimension size) {
    driver.manage().window().setSize(size);
    try {
      Files.createDirectories(SCREENSHOTS);
      Path png = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // the profile is under target/
    }
  }
}
