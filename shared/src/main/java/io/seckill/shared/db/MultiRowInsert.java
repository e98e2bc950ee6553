package io.seckill.shared.db;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A multi-row {@code INSERT ... VALUES (...),(...)} statement in the few row counts that are used, so that each
 * stays prepared on its connection: every count up to {@value #STEP}, then multiples of {@value #STEP} up to
 * {@value #MAX_ROWS} (47 statements at most).
 */
public final class MultiRowInsert {
  public static final int MAX_ROWS = 512;
  static final int STEP = 16;

  private final String head;
  private final String row;
  private final String tail;
  private final ConcurrentHashMap<Integer, String> sql = new ConcurrentHashMap<>();

  /** @param head {@code INSERT INTO t (a, b) VALUES }; @param row {@code (?, ?)} */
  public MultiRowInsert(String head, String row) {
    this(head, row, "");
  }

  /** @param tail what follows the rows, e.g. {@code ON DUPLICATE KEY UPDATE ...} */
  public MultiRowInsert(String head, String row, String tail) {
    this.head = head;
    this.row = row;
    this.tail = tail;
  }

  /**
   * The most rows, up to {@code available}, that one statement takes; a batch of that size is one statement,
   * a bigger one leaves fewer than {@value #STEP} rows (or what is above {@value #MAX_ROWS}) for another.
   */
  public static int statementRows(int available) {
    int rows = Math.min(available, MAX_ROWS);
    return rows <= STEP ? rows : rows - rows % STEP;
  }

  /** {@code rows} cut, in order, into the statements that insert them ({@link #statementRows} rows each). */
  public static <T> List<List<T>> statements(List<T> rows) {
    List<List<T>> statements = new ArrayList<>();
    int offset = 0;
    while (offset < rows.size()) {
      int size = statementRows(rows.size() - offset);
      statements.add(rows.subList(offset, offset + size));
      offset += size;
    }
    return statements;
  }

  /** The SQL for {@code rows} rows (one of the counts {@link #statementRows} gives). */
  public String sql(int rows) {
    return sql.computeIfAbsent(rows, n -> head + String.join(",", Collections.nCopies(n, row)) + tail);
  }
}
