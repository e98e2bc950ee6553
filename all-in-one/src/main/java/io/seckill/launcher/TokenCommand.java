package io.seckill.launcher;

import io.seckill.shared.config.Env;
import io.seckill.shared.identity.CustomerIds;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.IdentityConfig;
import io.seckill.shared.identity.SecurityConfig;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.io.InputStreamReader;
import java.io.BufferedReader;

/**
 * {@code java -jar seckill.jar token [--admin] [--ttl SECONDS] [--stdin] ID...}: one identity token per id, one per
 * line in the order given, signed by the development issuer's key in {@code SECKILL_DATA_DIR} (made there if
 * missing). {@code --stdin} reads more ids from standard input, one per line, so that load tools mint hundreds of
 * thousands in one call (on every core). Refused when the system is pointed at an external issuer: that one mints
 * its own.
 */
final class TokenCommand {
  static final long DEFAULT_TTL = 3600;
  static final long MAX_TTL = 7 * 24 * 3600;

  private TokenCommand() {
  }

  /** The exit code; tokens go to standard output (the command's output, not a log), errors to standard error. */
  static int run(String[] args, Env env) {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    PrintStream err = System.err;
    boolean admin = false;
    boolean stdin = false;
    long ttl = DEFAULT_TTL;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--admin" -> admin = true;
        case "--stdin" -> stdin = true;
        case "--ttl" -> {
          if (i + 1 >= args.length) {
            return usage(err, "--ttl needs a number of seconds");
          }
          try {
            ttl = Long.parseLong(args[++i]);
          } catch (NumberFormatException e) {
            return usage(err, "--ttl needs a number of seconds, got " + args[i]);
          }
          if (ttl < 1 || ttl > MAX_TTL) {
            return usage(err, "--ttl must be 1 to " + MAX_TTL + " seconds");
          }
        }
        default -> {
          if (args[i].startsWith("--")) {
            return usage(err, "unknown option " + args[i]);
          }
          if (!CustomerIds.valid(args[i])) {
            return usage(err, "'" + args[i] + "' is not a customer id (1 to " + CustomerIds.MAX_LENGTH
                + " characters)");
          }
          ids.add(args[i]);
        }
      }
    }
    if (stdin) {
      try (var lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
          .lines()) {
        for (String id : (Iterable<String>) lines::iterator) {
          if (id.isEmpty()) {
            continue;
          }
          if (!CustomerIds.valid(id)) {
            return usage(err, "'" + id + "' is not a customer id (1 to " + CustomerIds.MAX_LENGTH + " characters)");
          }
          ids.add(id);
        }
      }
    }
    if (ids.isEmpty()) {
      return usage(err, "name at least one id (or --stdin)");
    }
    if (env.has("SECKILL_OIDC_JWKS_URL")) {
      err.println("token: SECKILL_OIDC_JWKS_URL is set: this system trusts an external issuer, which mints its tokens");
      return 2;
    }
    Path dataDir = Path.of(env.string("SECKILL_DATA_DIR", "data")).toAbsolutePath().normalize();
    IdentityConfig identity = SecurityConfig.from(env, dataDir, false).identity();
    DevIssuer issuer = DevIssuer.loadOrCreate(dataDir.resolve("identity"));
    long now = System.currentTimeMillis() / 1000;
    boolean asAdmin = admin;
    long validFor = ttl;
    // one RSA signature per token: spread over the cores, printed in the order given
    List<String> tokens = ids.parallelStream().map(id -> issuer.mint(id, asAdmin, validFor, identity, now)).toList();
    for (String token : tokens) {
      out.append(token).append('\n');
    }
    out.flush();
    return 0;
  }

  private static int usage(PrintStream err, String problem) {
    err.println("token: " + problem);
    err.println("usage: java -jar seckill.jar token [--admin] [--ttl SECONDS] [--stdin] ID...");
    return 2;
  }
}
