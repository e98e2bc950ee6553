package io.seckill.command.cluster;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousTest {
  private static final int PARTITIONS = 64;

  private static Map<Integer, String> placement(List<String> members) {
    Map<Integer, String> owners = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      owners.put(p, Rendezvous.owner(p, members));
    }
    return owners;
  }

  @Test
  void everyMemberComputesTheSameOwnerWhateverTheOrderOfItsList() {
    assertThat(placement(List.of("node-a", "node-b", "node-c")))
        .isEqualTo(placement(List.of("node-c", "node-a", "node-b")));
  }

  @Test
  void partitionsSpreadOverTheMembers() {
    Map<String, Integer> counts = new HashMap<>();
    placement(List.of("node-0", "node-1", "node-2")).values().forEach(m -> counts.merge(m, 1, Integer::sum));
    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allMatch(n -> n >= 10, "each member holds at least 10 of 64");
  }

  @Test
  void aMemberLeavingMovesOnlyItsOwnPartitionsAndOneJoiningTakesOnlyWhatBecomesIts() {
    Map<Integer, String> three = placement(List.of("node-0", "node-1", "node-2"));
    Map<Integer, String> two = placement(List.of("node-0", "node-2"));
    for (int p = 0; p < PARTITIONS; p++) {
      if (!three.get(p).equals("node-1")) {
        assertThat(two.get(p)).as("partition %d of a member that stayed", p).isEqualTo(three.get(p));
      }
    }
    Map<Integer, String> four = placement(List.of("node-0", "node-1", "node-2", "node-3"));
    for (int p = 0; p < PARTITIONS; p++) {
      if (!four.get(p).equals("node-3")) {
        assertThat(four.get(p)).as("partition %d not taken by the newcomer", p).isEqualTo(three.get(p));
      }
    }
  }

  @Test
  void noMembersNoOwner() {
    assertThat(Rendezvous.owner(3, List.of())).isNull();
  }
}
