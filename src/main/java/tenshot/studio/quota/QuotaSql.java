package tenshot.studio.quota;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Where the quota queries run: a Hibernate Reactive session (a retry or a submission admitted in the
 * transaction that Hibernate holds) or a Vert.x connection (a run created in the transaction that
 * inserts its row and its jobs). The SQL is written once, with {@code ?1}-style parameters.
 */
interface QuotaSql {

    /** The first column of every row, as {@code type}. */
    <T> Uni<List<T>> column(String sql, Class<T> type, Object... params);

    /** Every column of every row. */
    Uni<List<Object[]>> rows(String sql, Object... params);

    default <T> Uni<T> single(String sql, Class<T> type, Object... params) {
        return column(sql, type, params).map(values -> {
            if (values.size() != 1) throw new IllegalStateException("expected one row, got " + values.size() + ": " + sql);
            return values.get(0);
        });
    }

    static QuotaSql of(Mutiny.Session session) {
        return new QuotaSql() {
            @Override
            public <T> Uni<List<T>> column(String sql, Class<T> type, Object... params) {
                Mutiny.SelectionQuery<T> query = session.createNativeQuery(sql, type);
                for (int i = 0; i < params.length; i++) query.setParameter(i + 1, params[i]);
                return query.getResultList();
            }

            @Override
            public Uni<List<Object[]>> rows(String sql, Object... params) {
                Mutiny.SelectionQuery<Object[]> query = session.createNativeQuery(sql, Object[].class);
                for (int i = 0; i < params.length; i++) query.setParameter(i + 1, params[i]);
                return query.getResultList();
            }
        };
    }

    static QuotaSql of(SqlConnection conn) {
        Pattern parameter = Pattern.compile("\\?(\\d+)");
        return new QuotaSql() {
            @Override
            public <T> Uni<List<T>> column(String sql, Class<T> type, Object... params) {
                return execute(sql, params).map(rows -> {
                    List<T> out = new ArrayList<>();
                    for (Row row : rows) out.add(row.get(type, 0));
                    return out;
                });
            }

            @Override
            public Uni<List<Object[]>> rows(String sql, Object... params) {
                return execute(sql, params).map(rows -> {
                    List<Object[]> out = new ArrayList<>();
                    for (Row row : rows) {
                        Object[] values = new Object[row.size()];
                        for (int i = 0; i < values.length; i++) values[i] = row.getValue(i);
                        out.add(values);
                    }
                    return out;
                });
            }

            private Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> execute(String sql, Object[] params) {
                return conn.preparedQuery(parameter.matcher(sql).replaceAll("\\$$1")).execute(Tuple.tuple(Arrays.asList(params)));
            }
        };
    }
}
