package io.seckill.shared.db;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationsTest {
  @Test
  void scriptsSplitOnStatementEndsAndSkipComments() {
    var statements = Migrations.statements("-- a comment\nCREATE TABLE a (\n  x INT\n);\n\nINSERT INTO a VALUES (1);\n");
    assertThat(statements).containsExactly("CREATE TABLE a (\n  x INT\n)", "INSERT INTO a VALUES (1)");
  }

  @Test
  void bothSetsAreListedAndLoad() {
    assertThat(Migrations.load(Migrations.WRITE)).extracting(Migrations.Script::version)
        .startsWith("V1__promotions_and_events");
    assertThat(Migrations.load(Migrations.READ)).extracting(Migrations.Script::version)
        .startsWith("V1__read_model");
  }
}
