using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Tests.Support;

/// <summary>Occurrences as the core builds them, with only what a test cares about set.</summary>
internal static class TestOccurrences
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    public static Occurrence For(string fingerprint, string machine = "10.0.40.7", string? osBuild = "24A335",
        DateTimeOffset? receivedAt = null, Guid? dumpId = null, string? kernel = "xnu-11215.1.10") => new()
    {
        DumpId = dumpId ?? Guid.CreateVersion7(),
        GroupId = fingerprint,
        Fingerprint = fingerprint,
        FingerprintVersion = "kdc-fp-1",
        Signature = "panic in " + fingerprint,
        Kind = "message",
        Culprit = "com.example.driver",
        PanicMessage = "something went wrong",
        Status = OccurrenceStatus.Decoded,
        ReceivedAt = receivedAt ?? Start,
        Client = machine + ":1069",
        Machine = machine,
        Model = "Mac15,3",
        OsBuild = osBuild,
        KernelVersion = kernel,
        DumpLocation = "file:///spool/dumps/core",
        FileName = "core-" + fingerprint,
        DumpSize = 100,
        Complete = true,
    };
}
