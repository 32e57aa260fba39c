using System.Globalization;
using System.Text;
using KDumpCloud.Kdump.Clients;
using KDumpCloud.Relay.Spool;

namespace KDumpCloud.Relay.Upload;

/// <summary>
/// Blob names and metadata values made from what a Mac sent. The spool already refused names with <c>/</c>,
/// <c>..</c>, control characters or a leading dot; here the name is reduced further to characters every blob tool
/// copes with. Uniqueness comes from the dump id (a version 7 GUID, unique across Macs, relays and days), never from
/// the Mac's name.
/// </summary>
internal static class BlobNames
{
    private const int MaxNameChars = 120;
    private const int MaxMetadataValueChars = 512;

    /// <summary><c>yyyy/MM/dd/&lt;dump id&gt;/&lt;blob-safe file name&gt;</c>, the date the dump started (UTC).</summary>
    public static string For(DumpJournal journal) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{journal.StartedAt.UtcDateTime:yyyy'/'MM'/'dd}/{journal.DumpId:D}/{SafeFileName(journal.FileName)}");

    /// <summary>Letters, digits, <c>.</c>, <c>-</c> and <c>_</c> kept; anything else becomes <c>_</c>; at most 120
    /// characters; never empty and never ending in a dot.</summary>
    public static string SafeFileName(string fileName)
    {
        var safe = new StringBuilder(Math.Min(fileName.Length, MaxNameChars));
        foreach (var c in fileName)
        {
            if (safe.Length == MaxNameChars)
            {
                break;
            }

            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var name = safe.ToString().TrimEnd('.');
        return name.Length == 0 ? "dump" : name;
    }

    /// <summary>A value HTTP metadata headers can carry: printable ASCII, with anything else percent-encoded (so the
    /// original can be recovered with <see cref="Uri.UnescapeDataString(string)"/>), cut at 512 characters.</summary>
    public static string MetadataValue(string value)
    {
        var escaped = Uri.EscapeDataString(value);
        return escaped.Length <= MaxMetadataValueChars ? escaped : escaped[..MaxMetadataValueChars];
    }

    /// <summary>The metadata a dump's blob is committed with; <c>kind</c> (<c>core</c>, <c>paniclog</c>,
    /// <c>systemlog</c>) and <c>kernelversion</c> (e.g. <c>xnu-11417.121.6</c>) only when the file name is one the
    /// kernel made and, for the version, not <c>custom</c>.</summary>
    public static Dictionary<string, string> Metadata(DumpJournal journal, string relayHost)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["dumpid"] = journal.DumpId.ToString("D"),
            ["client"] = MetadataValue(journal.Client),
            ["filename"] = MetadataValue(journal.FileName),
            ["size"] = journal.FileLength.ToString(CultureInfo.InvariantCulture),
            ["state"] = journal.State == DumpState.Complete ? "complete" : "incomplete",
            ["startedat"] = journal.StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["relayhost"] = MetadataValue(relayHost),
        };
        if (journal.Sha256 is { } sha256)
        {
            metadata["sha256"] = sha256;
        }

        if (journal.Reason is { } reason)
        {
            metadata["reason"] = MetadataValue(reason);
        }

        if (journal.FinishedAt is { } finished)
        {
            metadata["finishedat"] = finished.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        }

        // What the kernel's own name says (kdump-protocol.md §14); a name sent verbatim (_panicd_corename) says neither.
        if (DumpFileName.TryParse(journal.FileName, out var parts))
        {
            metadata["kind"] = parts.Prefix;
            if (parts.KernelVersion is { } kernelVersion)
            {
                metadata["kernelversion"] = kernelVersion;
            }
        }

        return metadata;
    }
}
