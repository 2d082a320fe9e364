package hub.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * A real Neo4j Community server (embedded DBMS + Bolt connector) for local
 * development and tests.
 *
 * <p>Bolt listens on 127.0.0.1 only and authentication is DISABLED: this is a
 * loopback-only development/test database, never a deployment. Neo4j's own
 * logs (debug.log) go to {@code <data>/logs/}; this class prints only a few
 * lifecycle lines to stdout, among them exactly one line
 * {@code neo4j ready bolt://127.0.0.1:PORT} once Bolt accepts connections.
 *
 * <p>Usage: {@code java -cp target/neo4j-server.jar:target/lib/* hub.tools.Neo4jServer
 * --data DIR [--port 7687] [--pagecache 256m]}
 *
 * <p>SIGTERM / SIGINT run a shutdown hook that shuts the DBMS down cleanly
 * (checkpoint, store files closed), so the same data directory can be reused.
 */
public final class Neo4jServer {
    static final String HOST = "127.0.0.1";

    private Neo4jServer() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            System.out.println("neo4j failed: " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path data = null;
        int port = 7687;
        String pagecache = "256m";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> data = Path.of(value(args, ++i, a));
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--pagecache" -> pagecache = value(args, ++i, a);
                case "-h", "--help" -> {
                    usage(System.out);
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + a);
                    usage(System.err);
                    System.exit(2);
                }
            }
        }
        if (data == null) {
            usage(System.err);
            System.exit(2);
        }
        if (port <= 0 || port > 65535) {
            System.err.println("invalid port: " + port);
            System.exit(2);
        }

        Path home = data.toAbsolutePath().normalize();
        Files.createDirectories(home);
        System.out.println("neo4j starting: home=" + home + " bolt=" + HOST + ":" + port
                + " pagecache=" + pagecache);
        System.out.flush();

        SocketAddress bolt = new SocketAddress(HOST, port);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                // Bolt on loopback only, plaintext (TLS off is the default).
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                // Loopback-only dev/test server: no authentication.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // Small footprint: shared 2-core machine running Go tests too.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                // Do not pre-allocate 256 MiB transaction log files per database.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                // No anonymous usage reporting (there is no internet here anyway).
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt waits 2 x 5 s for idle connections/threads at shutdown;
                // 1 s each is plenty for a local server (internal settings).
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();

        AtomicBoolean stopped = new AtomicBoolean();
        CountDownLatch down = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopped.compareAndSet(false, true)) {
                System.out.println("neo4j stopping");
                System.out.flush();
                try {
                    dbms.shutdown();
                    System.out.println("neo4j stopped");
                } catch (Throwable t) {
                    System.out.println("neo4j shutdown failed: " + t);
                    t.printStackTrace(System.out);
                } finally {
                    System.out.flush();
                    down.countDown();
                }
            }
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            System.out.println("neo4j failed: database '" + db.databaseName()
                    + "' not available after 2 minutes");
            System.exit(1);
        }
        if (!waitForPort(HOST, port, Duration.ofSeconds(60))) {
            System.out.println("neo4j failed: Bolt does not accept connections on " + HOST + ":" + port);
            System.exit(1);
        }
        System.out.println("neo4j ready bolt://" + HOST + ":" + port);
        System.out.flush();

        down.await();
    }

    private static boolean waitForPort(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println("missing value for " + flag);
            System.exit(2);
        }
        return args[i];
    }

    private static void usage(PrintStream out) {
        out.println("usage: hub.tools.Neo4jServer --data DIR [--port 7687] [--pagecache 256m]");
        out.println("  Neo4j Community with Bolt on 127.0.0.1:PORT, authentication disabled.");
    }
}
