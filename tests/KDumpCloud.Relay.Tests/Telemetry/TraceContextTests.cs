using System.Diagnostics;
using KDumpCloud.Relay.Spool;
using KDumpCloud.Relay.Telemetry;
using KDumpCloud.Relay.Upload;

namespace KDumpCloud.Relay.Tests.Telemetry;

/// <summary>The dump's trace context as the journal keeps it: handed on in the ingest message, and read back
/// defensively (a journal is a file on disk).</summary>
public sealed class TraceContextTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void For_JournalWithTraceParent_MessageCarriesIt()
    {
        var message = IngestMessages.For(Journal(TraceParent), new Uri("file:///spool/dumps/core-x"), "relay");

        Assert.Equal(TraceParent, message.TraceParent);
        Assert.Contains("\"traceParent\":\"" + TraceParent + "\"", message.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void For_JournalWithout_MessageWithout()
    {
        Assert.Null(IngestMessages.For(Journal(null), new Uri("file:///spool/dumps/core-x"), "relay").TraceParent);
    }

    [Fact]
    public void ParentOf_StoredTraceParent_ThatContext()
    {
        var parent = RelayActivities.ParentOf(Journal(TraceParent));

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", parent.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", parent.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, parent.TraceFlags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")]
    public void ParentOf_DamagedTraceParent_NoParent(string damaged)
    {
        Assert.Equal(default, RelayActivities.ParentOf(Journal(damaged)));
    }

    [Fact]
    public void ParentOf_HugeTraceParent_NoParent()
    {
        Assert.Equal(default, RelayActivities.ParentOf(Journal(TraceParent + new string('f', 1 << 20))));
    }

    private static DumpJournal Journal(string? traceParent) => new()
    {
        DumpId = Guid.CreateVersion7(),
        FileName = "core-x",
        Client = "127.0.0.1:1069",
        State = DumpState.Complete,
        StartedAt = DateTimeOffset.UnixEpoch,
        TraceParent = traceParent,
    };
}
