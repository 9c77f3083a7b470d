package tenshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.core.Response;
import java.net.ServerSocket;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tenshot.studio.api.Problem;
import tenshot.studio.api.ProblemMapper;

class DatabaseUnavailableTest {

    @Test
    void aRefusedConnectionToPostgresIsTheDatabaseBeingUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Vertx vertx = Vertx.vertx();
        try {
            PgConnectOptions options = new PgConnectOptions().setHost("127.0.0.1").setPort(closedPort).setDatabase("none")
                    .setUser("none").setConnectTimeout(5000);
            Throwable failure = PgConnection.connect(vertx, options).toCompletionStage().handle((c, e) -> e)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(failure != null && DatabaseUnavailable.isCause(new CompletionException(failure)), String.valueOf(failure));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerShuttingDownIsUnavailableAndAConstraintViolationIsNot() {
        assertTrue(DatabaseUnavailable.isCause(new RuntimeException(
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null))));
        assertTrue(DatabaseUnavailable.isCause(new PgException("the database system is starting up", "FATAL", "57P03", null)));
        assertFalse(DatabaseUnavailable.isCause(new PgException("duplicate key value", "ERROR", "23505", null)));
        assertFalse(DatabaseUnavailable.isCause(new IllegalStateException("a bug")));
    }

    @Test
    void theApiAnswersAnUnreachableDatabaseWith503AndAProblemDocument() {
        Response answer = new ProblemMapper().unexpected(new RuntimeException(
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null)));
        assertEquals(503, answer.getStatus());
        assertEquals(Problem.MEDIA_TYPE, answer.getMediaType().toString());
        assertEquals("5", answer.getHeaderString("Retry-After"));
        assertTrue(((Problem) answer.getEntity()).detail().contains("database is unreachable"));
        assertEquals(500, new ProblemMapper().unexpected(new IllegalStateException("a bug")).getStatus());
    }
}
