package io.seckill.shared.identity;

import io.vertx.core.json.JsonObject;
import org.altcha.altcha.Altcha;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The proof-of-work gate before a ticket: solved, spent, expired, someone else's, forged; no I/O. */
public class TicketChallengeTest {
  private static final long NOW = 1_800_000_000L;
  private final TicketChallenge gate = new TicketChallenge("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 2_000);

  /** What a client sends: base64 of the challenge with the number that solves it. */
  public static String solve(JsonObject challenge) throws Exception {
    Altcha.Solution solution = Altcha.solveChallenge(challenge.getString("challenge"), challenge.getString("salt"),
        Altcha.Algorithm.SHA256, challenge.getLong("maxnumber"), 0);
    return payload(challenge, solution.number);
  }

  static String payload(JsonObject challenge, long number) {
    return Base64.getEncoder().encodeToString(new JsonObject().put("algorithm", challenge.getString("algorithm"))
        .put("challenge", challenge.getString("challenge")).put("number", number).put("salt", challenge.getString("salt"))
        .put("signature", challenge.getString("signature")).encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSolutionIsSpentForEveryoneSharingTheGate() throws Exception {
    // the HTTP instances of one JVM share the gate through Security: a replay on another event loop is refused
    String solved = solve(gate.create("alice", NOW));
    TicketChallenge sameKeyOtherGate = new TicketChallenge("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 2_000);
    assertThat(gate.refusal(solved, "alice", NOW)).isNull();
    assertThat(gate.refusal(solved, "alice", NOW)).contains("used already");
    // (a separate gate with the same key would not know: that is why there is one per JVM)
    assertThat(sameKeyOtherGate.refusal(solved, "alice", NOW)).isNull();
  }

  @Test
  void aSolvedChallengeOpensOneTicketForItsCustomer() throws Exception {
    String solved = solve(gate.create("alice", NOW));
    assertThat(gate.refusal(solved, "bob", NOW)).contains("another customer");
    assertThat(gate.refusal(solved, "alice", NOW)).isNull();
    assertThat(gate.refusal(solved, "alice", NOW)).contains("used already");
  }

  @Test
  void missingWrongExpiredAndForgedSolutionsAreRefused() throws Exception {
    JsonObject challenge = gate.create("alice", NOW);
    assertThat(gate.refusal(null, "alice", NOW)).contains("GET /command/challenge");
    assertThat(gate.refusal("", "alice", NOW)).contains("GET /command/challenge");
    assertThat(gate.refusal("not base64!", "alice", NOW)).contains("malformed");
    assertThat(gate.refusal(Base64.getEncoder().encodeToString("[1]".getBytes(StandardCharsets.UTF_8)), "alice", NOW))
        .isNotNull();
    assertThat(gate.refusal("x".repeat(5000), "alice", NOW)).contains("too long");
    // a wrong number
    String solved = solve(challenge);
    long right = new JsonObject(new String(Base64.getDecoder().decode(solved), StandardCharsets.UTF_8)).getLong("number");
    assertThat(gate.refusal(payload(challenge, right + 1), "alice", NOW)).contains("not a solution");
    // expired
    assertThat(gate.refusal(solve(gate.create("alice", NOW - TicketChallenge.EXPIRES_SECONDS - 1)), "alice", NOW))
        .isNotNull();
    // another service's key (the signature does not match)
    TicketChallenge other = new TicketChallenge("another-key-another-key-another!".getBytes(StandardCharsets.US_ASCII), 2_000);
    assertThat(gate.refusal(solve(other.create("alice", NOW)), "alice", NOW)).contains("not a solution");
  }

  @Test
  void aChallengeWithoutExpiryIsRefusedEvenWhenSignedWithOurKey() throws Exception {
    // ALTCHA checks the expiry only when the salt carries one: such a solution would be good forever
    Altcha.Challenge forever = Altcha.createChallenge(new Altcha.ChallengeOptions().setHmacKey(gate.hmacKey())
        .setMaxNumber(2_000L).addParam("sub", "alice"));
    JsonObject challenge = new JsonObject().put("algorithm", forever.algorithm).put("challenge", forever.challenge)
        .put("maxnumber", forever.maxnumber).put("salt", forever.salt).put("signature", forever.signature);
    assertThat(gate.refusal(solve(challenge), "alice", NOW)).contains("expired");
    // and one without a customer is nobody's
    Altcha.Challenge anyone = Altcha.createChallenge(new Altcha.ChallengeOptions().setHmacKey(gate.hmacKey())
        .setMaxNumber(2_000L).setExpires(NOW + 60));
    JsonObject open = new JsonObject().put("algorithm", anyone.algorithm).put("challenge", anyone.challenge)
        .put("maxnumber", anyone.maxnumber).put("salt", anyone.salt).put("signature", anyone.signature);
    assertThat(gate.refusal(solve(open), "alice", NOW)).contains("another customer");
  }
}
