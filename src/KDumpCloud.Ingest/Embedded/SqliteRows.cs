using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;

namespace KDumpCloud.Ingest.Embedded;

/// <summary>How the embedded store's tables are written and read, shared by the crash store and the alert outbox that
/// live in the same file: commands, JSON document columns, dump-id keys and sortable timestamps.</summary>
internal static class SqliteRows
{
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Every row's first column, a JSON document, read as <typeparamref name="T"/>.</summary>
    public static List<T> ReadAll<T>(SqliteCommand command, JsonTypeInfo<T> type)
    {
        var all = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            all.Add(JsonSerializer.Deserialize(reader.GetString(0), type)!);
        }

        return all;
    }

    public static string Key(Guid dumpId) => dumpId.ToString("D");

    /// <summary>UTC, fixed width, so text order is time order.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
