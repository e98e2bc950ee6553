package io.seckill.launcher;

import io.seckill.launcher.Liveness.Heal;
import io.seckill.launcher.NemesisSchedule.Fault;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The nemesis's liveness bounds, given what a run recorded (seconds from the run's start, as nanoTime values). */
class LivenessTest {
  private static final long SEED = 42;
  private final List<Liveness.Injection> injections = new ArrayList<>();
  private final List<long[]> answers = new ArrayList<>();

  private static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  private Heal healed(Fault fault, double injected, double healed, boolean alone, double caughtUp) {
    injections.add(new Liveness.Injection(s(injected), fault));
    return new Heal(fault, "command-1", s(injected), s(healed), alone, caughtUp < 0 ? 0 : s(caughtUp));
  }

  private void answered200(double sent, double answered) {
    answers.add(new long[] {s(sent), s(answered)});
  }

  private Liveness checked(Heal... heals) {
    Liveness liveness = new Liveness(SEED, 0, injections, answers);
    for (Heal heal : heals) {
      liveness.check(heal);
    }
    return liveness;
  }

  @Test
  void aHealFollowedByA200AndReadDbWithinTheirBoundsIsNoViolation() {
    Heal heal = healed(Fault.COMMAND_KILL, 10, 15, true, 19);
    answered200(16, 19.9);
    Liveness liveness = checked(heal);
    assertThat(liveness.violations()).isEmpty();
    assertThat(liveness.table()).contains("COMMAND_KILL         1 | 1, 4900, 4900").contains("1, 4000, 4000");
  }

  @Test
  void theFirst200PastFiveSecondsAfterAProcessHealFailsNamingTheFaultTheSeedAndTheTimes() {
    Heal heal = healed(Fault.EVENT_PAUSE, 10, 15, true, 16);
    answered200(14, 15.5); // sent before the heal: does not count
    answered200(15.2, 21.2);
    assertThat(checked(heal).violations()).singleElement().asString()
        .contains("seed 42", "EVENT_PAUSE on command-1", "injected at 10.0 s", "healed at 15.0 s",
            "first 200 of a grab sent after the heal after 6200 ms (at 21.2 s)", "bound 5000 ms", "W5");
  }

  @Test
  void aDatabaseHealHasTwoSeconds() {
    Heal heal = healed(Fault.DB_KILL, 10, 15, true, 16);
    answered200(15.1, 17.5);
    assertThat(checked(heal).violations()).singleElement().asString().contains("DB_KILL", "after 2500 ms",
        "bound 2000 ms");
  }

  @Test
  void readDbNotCaughtUpWithinTenSecondsOfAnyHealFails() {
    Heal late = healed(Fault.BROKER_KILL, 10, 15, true, 25.5);
    Heal never = healed(Fault.BROKER_PAUSE, 40, 45, true, -1);
    answered200(15.1, 15.2);
    answered200(45.1, 45.2);
    assertThat(checked(late, never).violations()).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("BROKER_KILL", "ReadDB", "after 10500 ms", "bound 10000 ms", "I8"))
        .anySatisfy(v -> assertThat(v).contains("BROKER_PAUSE", "ReadDB", "never came"));
  }

  @Test
  void aHealWhileAnotherFaultLastsOrOneTheNextFaultCutShortIsNotHeldToTheBounds() {
    Heal overlapped = healed(Fault.COMMAND_KILL, 10, 15, false, -1);
    Heal cutShort = healed(Fault.COMMAND_PAUSE, 20, 25, true, -1);
    injections.add(new Liveness.Injection(s(26), Fault.DB_KILL)); // before any 200, within the bound
    answered200(25.5, 33);
    Liveness liveness = checked(overlapped, cutShort);
    assertThat(liveness.violations()).isEmpty();
    assertThat(liveness.table()).contains("COMMAND_KILL         0 | 0").contains("| 1\n")
        .contains("COMMAND_PAUSE        1 | 0                          | 0");
  }

  @Test
  void aNextFaultOffTheGrabPathExcusesNoWaitForA200() {
    Heal heal = healed(Fault.COMMAND_KILL, 20, 25, true, 26);
    injections.add(new Liveness.Injection(s(27), Fault.EVENT_PAUSE)); // the event role: grabs do not wait on it
    answered200(25.5, 32);
    assertThat(checked(heal).violations()).singleElement().asString().contains("COMMAND_KILL", "after 7000 ms");
  }
}
