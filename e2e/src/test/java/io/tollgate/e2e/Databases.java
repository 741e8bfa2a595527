package io.tollgate.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The fleet's databases, read directly by journeys that check what the services stored: the run's
 * PostgreSQL (the container's address in {@code --infra=containers}, the local server otherwise),
 * each service's database under its role of the same name.
 */
final class Databases {

    private Databases() {
    }

    /** A connection to one service's database ({@code billing}, {@code render}, ...). */
    static Connection connect(String name) throws SQLException {
        String host = System.getProperty("tollgate.pg.host", "127.0.0.1");
        String port = System.getProperty("tollgate.pg.port", System.getenv().getOrDefault("TOLLGATE_PG_PORT", "55432"));
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + name, name, name);
    }

    /** The first column of the first row of a query that answers one number (a count, a sum). */
    static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** {@link #count(Connection, String, Object...)} on a connection of its own. */
    static long count(String database, String sql, Object... args) {
        try (Connection c = connect(database)) {
            return count(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
