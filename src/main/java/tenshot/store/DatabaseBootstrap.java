package tenshot.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Gives the studio a database when none is configured, before Quarkus starts: an embedded
 * PostgreSQL in {@code <data-dir>/postgres} (the server binaries come from a Maven artifact; as root
 * it runs in a user namespace, which is how PostgreSQL's refusal to run as root is honoured), or,
 * when that cannot start, the local PostgreSQL at 127.0.0.1:5432 with a database {@code tenshot}.
 *
 * <p>It does nothing when {@code TENSHOT_DB_URL} / {@code -Dtenshot.db.url} is set, or when
 * {@code TENSHOT_DB_EMBEDDED=false} / {@code -Dtenshot.db.embedded=false}.
 */
public final class DatabaseBootstrap {

    private static final String LOCAL_SERVER = "127.0.0.1:5432";

    private DatabaseBootstrap() {}

    public static void configure() {
        if (setting("tenshot.db.url", "TENSHOT_DB_URL") != null) return;
        if ("false".equalsIgnoreCase(setting("tenshot.db.embedded", "TENSHOT_DB_EMBEDDED"))) return;
        String dataDir = setting("tenshot.data-dir", "TENSHOT_DATA_DIR");
        Path pgData = Path.of(dataDir == null ? "data" : dataDir).toAbsolutePath().normalize().resolve("postgres");
        try {
            Files.createDirectories(pgData);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100")
                    .start();
            // EmbeddedPostgres stops the server from its own JVM shutdown hook; TenshotMain.Studio stops the
            // application before the JVM exits, so that hook runs after the workers have given back their jobs.
            useDatabase("127.0.0.1:" + pg.getPort(), "tenshot");
            System.out.println("tenshot: embedded PostgreSQL in " + pgData + " on port " + pg.getPort());
        } catch (Exception embedded) {
            System.err.println("tenshot: the embedded PostgreSQL did not start (" + embedded.getMessage()
                    + "); trying the local server at " + LOCAL_SERVER);
            try {
                useDatabase(LOCAL_SERVER, "tenshot");
                System.out.println("tenshot: using database tenshot on the local PostgreSQL at " + LOCAL_SERVER);
            } catch (Exception local) {
                throw new IllegalStateException("no database: the embedded PostgreSQL failed (" + embedded.getMessage()
                        + ") and the local server at " + LOCAL_SERVER + " is not reachable (" + local.getMessage()
                        + "). Set TENSHOT_DB_URL=postgresql://host:port/db (and TENSHOT_DB_USER/TENSHOT_DB_PASSWORD).",
                        local);
            }
        }
    }

    /** Creates the database on the server if it is missing and points the studio at it. */
    private static void useDatabase(String hostPort, String database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres", "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
            if (!rs.next()) s.execute("CREATE DATABASE " + database);
        }
        System.setProperty("tenshot.db.url", "postgresql://" + hostPort + "/" + database);
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) value = System.getenv(env);
        return value == null || value.isBlank() ? null : value;
    }
}
