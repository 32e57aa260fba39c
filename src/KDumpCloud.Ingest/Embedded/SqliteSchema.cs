using Microsoft.Data.Sqlite;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>
/// The embedded store's schema, versioned with SQLite's <c>user_version</c>: each step migrates from the version
/// before it, in one transaction, so a store written by an older relay upgrades itself at open and a newer one is
/// refused rather than damaged.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // 1: groups and occurrences as JSON documents, with the columns that are queried or ordered on.
        """
        CREATE TABLE crash_groups (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            merged_into TEXT NULL,
            count INTEGER NOT NULL,
            last_seen TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX crash_groups_last_seen ON crash_groups (last_seen);
        CREATE INDEX crash_groups_count ON crash_groups (count);
        CREATE TABLE occurrences (
            dump_id TEXT PRIMARY KEY,
            group_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX occurrences_group ON occurrences (group_id, received_at);
        """,

        // 2: the panic text beside each occurrence, so a later fingerprint version can regroup it without its dump.
        """
        ALTER TABLE occurrences ADD COLUMN panic_text TEXT NULL;
        """,

        // 3: the alert outbox (SqliteAlertOutbox): one row per alert, written in the recording's transaction, and one
        // delivery record per alert and sink.
        """
        CREATE TABLE alert_outbox (
            dump_id TEXT PRIMARY KEY,
            group_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            notice TEXT NOT NULL
        );
        CREATE INDEX alert_outbox_created ON alert_outbox (created_at);
        CREATE TABLE alert_deliveries (
            sink TEXT NOT NULL,
            dump_id TEXT NOT NULL,
            alert_created_at TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (sink, dump_id)
        );
        CREATE INDEX alert_deliveries_created ON alert_deliveries (sink, alert_created_at);
        """,

        // 4: each alert's trace (the W3C traceparent of the ingest that decided it), so its deliveries join the
        // dump's trace; null for alerts recorded before, or with tracing off.
        """
        ALTER TABLE alert_outbox ADD COLUMN trace_parent TEXT NULL;
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <exception cref="InvalidOperationException">The file was written by a newer version.</exception>
    public static void Migrate(SqliteConnection connection)
    {
        var version = UserVersion(connection);
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"the crash store {connection.DataSource} has schema version {version}; this version of KDumpCloud knows up to {CurrentVersion}");
        }

        for (; version < CurrentVersion; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static int UserVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
