package io.seckill.launcher;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.seckill.shared.config.Env;
import io.seckill.shared.identity.DevIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar seckill.jar token}: one good RS256 token per id, in order, or a usage error (exit 2). */
class TokenCommandTest {
  private record Run(int exit, List<String> lines) {
  }

  private static Run run(Map<String, String> env, String stdin, String... args) {
    PrintStream out = System.out;
    InputStream in = System.in;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int exit = TokenCommand.run(args, new Env(env));
      return new Run(exit, captured.toString(StandardCharsets.UTF_8).lines().toList());
    } finally {
      System.setOut(out);
      System.setIn(in);
    }
  }

  @Test
  void oneVerifiableTokenPerIdInOrder(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("SECKILL_DATA_DIR", dir.toString());
    Run run = run(env, "carol\n\ndave\n", "--ttl", "120", "alice", "bob", "--stdin");
    assertThat(run.exit()).isZero();
    assertThat(run.lines()).hasSize(4);
    RSAKey key = RSAKey.parse(DevIssuer.loadOrCreate(dir.resolve("identity")).jwk().encode());
    List<String> subjects = List.of("alice", "bob", "carol", "dave");
    for (int i = 0; i < 4; i++) {
      SignedJWT jwt = SignedJWT.parse(run.lines().get(i));
      assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
      assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(subjects.get(i));
      assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("seckill");
      assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("seckill-dev");
      long ttl = (jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime()) / 1000;
      assertThat(ttl).isEqualTo(120);
      assertThat(jwt.getJWTClaimsSet().getStringListClaim("roles")).isEmpty();
    }
    Run admin = run(env, "", "--admin", "root");
    assertThat(SignedJWT.parse(admin.lines().get(0)).getJWTClaimsSet().getStringListClaim("roles"))
        .containsExactly("seckill-admin");
  }

  @Test
  void badArgumentsAndAnExternalIssuerAreRefused(@TempDir Path dir) {
    Map<String, String> env = Map.of("SECKILL_DATA_DIR", dir.toString());
    assertThat(run(env, "").exit()).isEqualTo(2);
    assertThat(run(env, "", "--ttl").exit()).isEqualTo(2);
    assertThat(run(env, "", "--ttl", "0", "a").exit()).isEqualTo(2);
    assertThat(run(env, "", "--ttl", "x", "a").exit()).isEqualTo(2);
    assertThat(run(env, "", "--nope", "a").exit()).isEqualTo(2);
    assertThat(run(env, "", "x".repeat(65)).exit()).isEqualTo(2);
    assertThat(run(env, "x".repeat(65) + "\n", "--stdin").exit()).isEqualTo(2);
    Run external = run(Map.of("SECKILL_DATA_DIR", dir.toString(), "SECKILL_OIDC_JWKS_URL", "https://idp.example/jwks",
        "SECKILL_OIDC_ISSUER", "https://idp.example"), "", "alice");
    assertThat(external.exit()).isEqualTo(2);
    assertThat(external.lines()).isEmpty();
  }
}
