package io.seckill.shared.db;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class MultiRowInsertTest {

  @Test
  void aBatchIsOneStatementOrLeavesLessThanAStepForTheNext() {
    Set<Integer> counts = new TreeSet<>();
    for (int available = 1; available <= 2_000; available++) {
      int rows = MultiRowInsert.statementRows(available);
      counts.add(rows);
      assertThat(rows).isBetween(1, Math.min(available, MultiRowInsert.MAX_ROWS));
      assertThat(Math.min(available, MultiRowInsert.MAX_ROWS) - rows).isLessThan(MultiRowInsert.STEP);
    }
    assertThat(counts).as("statements kept prepared per connection").hasSize(47);
  }

  @Test
  void aBatchIsCutIntoStatementsInOrder() {
    List<Integer> rows = IntStream.range(0, 1_300).boxed().toList();
    List<List<Integer>> statements = MultiRowInsert.statements(rows);
    assertThat(statements).extracting(List::size).containsExactly(512, 512, 272, 4);
    assertThat(statements.stream().flatMap(List::stream).toList()).isEqualTo(rows);
    assertThat(MultiRowInsert.statements(List.of())).isEmpty();
  }

  @Test
  void theSqlHasOnePlaceholderGroupPerRow() {
    MultiRowInsert insert = new MultiRowInsert("INSERT INTO t (a, b) VALUES ", "(?, ?)");
    assertThat(insert.sql(3)).isEqualTo("INSERT INTO t (a, b) VALUES (?, ?),(?, ?),(?, ?)");
    MultiRowInsert events = new MultiRowInsert("INSERT INTO events (event_id, promotion_id, sequence, type,"
        + " customer_id, occurred_at, payload) VALUES ", "(?, ?, ?, ?, ?, ?, ?)");
    assertThat(events.sql(MultiRowInsert.MAX_ROWS).length()).as("the biggest statement stays cached")
        .isLessThan(Databases.PREPARED_SQL_LIMIT);
  }
}
