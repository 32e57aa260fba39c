using System.Text;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;
using KDumpCloud.Ingest.Processing;
using KDumpCloud.Ingest.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Ingest.Tests.Processing;

/// <summary>The core from a dump file to a recorded occurrence, over real files and SQLite.</summary>
public sealed class DumpIngestorTests : IDisposable
{
    private const string Panic = """
        panic(cpu 0 caller 0xffffff8000b4b1c5): "thread_invoke: preemption_level 1, possible cause: blocking while holding a spinlock, or within interrupt context"@/Library/Caches/com.apple.xbs/Sources/xnu/xnu-4570.71.2/osfmk/kern/sched_prim.c:2231
        Backtrace (CPU 0), Frame : Return Address
        0xffffff91ffd13a20 : 0xffffff8000a6c1c6 mach_kernel : _handle_debugger_trap + 0x506
        0xffffff91ffd13a70 : 0xffffff8000b93274 mach_kernel : _kdp_i386_trap + 0x114

        BSD process name corresponding to current thread: kernel_task

        Mac OS version:
        17G65

        Kernel version:
        Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018; root:xnu-4570.71.2~1/RELEASE_X86_64
        Model: MacBookPro11,3, BootROM MBP112.0146.B00, 4 processors
        """;

    private readonly IngestCore _core = new();

    [Fact]
    public async Task PanicLog_IsDecodedGroupedAndRecorded()
    {
        var message = _core.Dump("paniclog-xnu-4570.71.2-10.0.40.7-1a2b3c", Encoding.UTF8.GetBytes(Panic));

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Equal(IngestOutcome.NewGroup, report.Outcome);
        Assert.False(report.Redelivered);
        var occurrence = report.Occurrence;
        Assert.Equal(OccurrenceStatus.Decoded, occurrence.Status);
        Assert.Equal("17G65", occurrence.OsBuild);
        Assert.Equal("MacBookPro11,3", occurrence.Model);
        Assert.Equal("10.0.40.7", occurrence.Machine);
        Assert.Contains("thread_invoke", occurrence.PanicMessage, StringComparison.Ordinal);
        Assert.Equal(occurrence.Fingerprint, report.Group.Id);
        Assert.DoesNotContain(occurrence.Warnings, w => w.Contains("mismatch", StringComparison.Ordinal));
        Assert.Equal("xnu-4570.71.2~1", occurrence.KernelVersion);
        Assert.Equal(occurrence.ToJson(), (await _core.Store.FindOccurrenceAsync(message.DumpId))!.ToJson());
        Assert.Contains(_core.Logs.GetSnapshot(), r => r.Message.StartsWith("new crash: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GroupingRulesFile_ForcesTheGroupAndTheExplanationSaysWhy()
    {
        var rules = Path.Combine(Path.GetTempPath(), $"kdumpcloud-rules-{Guid.NewGuid():n}.txt");
        await File.WriteAllTextAsync(rules, "message:\"*preemption_level*\" -> group=scheduler-preemption\n");
        try
        {
            using var core = new IngestCore(new IngestOptions { GroupingRulesFile = rules });
            var first = await core.Ingestor.IngestAsync(core.Dump("paniclog-a", Encoding.UTF8.GetBytes(Panic)), CancellationToken.None);
            var other = Panic.Replace("thread_invoke: preemption_level 1", "thread_block: preemption_level 2", StringComparison.Ordinal);
            var second = await core.Ingestor.IngestAsync(core.Dump("paniclog-b", Encoding.UTF8.GetBytes(other)), CancellationToken.None);

            Assert.Equal(first.Group.Id, second.Group.Id); // two messages, one lab-forced group
            Assert.Equal(2, second.Group.Count);
            Assert.Contains(first.Occurrence.FingerprintExplanation, line => line.Contains("scheduler-preemption", StringComparison.Ordinal));
            Assert.Equal(first.Occurrence.FingerprintExplanation, first.Group.Explanation);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public void GroupingRulesFile_Malformed_FailsValidationWithItsLine()
    {
        var rules = Path.Combine(Path.GetTempPath(), $"kdumpcloud-rules-{Guid.NewGuid():n}.txt");
        File.WriteAllText(rules, "# fine\nmessage:\"*x*\" -> explode=now\n");
        try
        {
            var result = new KDumpCloud.Ingest.Hosting.GroupingRulesFileValidator().Validate(null, new IngestOptions { GroupingRulesFile = rules });

            Assert.True(result.Failed);
            Assert.Contains("line 2", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    [Fact]
    public async Task PanicLog_ItsTextIsKeptForARegroupingAndBounded()
    {
        var padded = Panic + new string('x', Occurrence.MaxPanicTextLength);
        var message = _core.Dump("paniclog-xnu-4570.71.2-10.0.40.7-1a2b3d", Encoding.UTF8.GetBytes(padded));

        await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        var kept = (await _core.Store.ScanOccurrencesAsync().SingleAsync()).PanicText;
        Assert.Equal(padded[..Occurrence.MaxPanicTextLength], kept);
    }

    [Fact]
    public async Task SameCrashFromAnotherMac_CountsInTheSameGroup()
    {
        var first = await _core.Ingestor.IngestAsync(_core.Dump("a", Encoding.UTF8.GetBytes(Panic)), CancellationToken.None);
        var second = await _core.Ingestor.IngestAsync(_core.Dump("b", Encoding.UTF8.GetBytes(Panic), client: "10.0.40.8:1069"), CancellationToken.None);

        Assert.Equal(IngestOutcome.Repeat, second.Outcome);
        Assert.Equal(first.Group.Id, second.Group.Id);
        Assert.Equal(2, second.Group.Count);
        Assert.Equal(["10.0.40.7", "10.0.40.8"], second.Group.Machines);
    }

    [Fact]
    public async Task Redelivery_IsCountedOnceAndDoesNotReadTheDumpAgain()
    {
        var message = _core.Dump("paniclog-redelivered", Encoding.UTF8.GetBytes(Panic));
        await _core.Ingestor.IngestAsync(message, CancellationToken.None);
        File.Delete(message.BlobUri.LocalPath);

        var again = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.True(again.Redelivered);
        Assert.Equal(IngestOutcome.NewGroup, again.Outcome);
        Assert.Equal(1, again.Group.Count);
    }

    [Fact]
    public async Task GzipCore_PanicIsFoundInside()
    {
        var core = CoreFixtures.Gzip(CoreFixtures.MachOCore(Panic, memoryBytes: 512 * 1024, panicOffset: 300 * 1024));
        var message = _core.Dump("core-xnu-4570.71.2-10.0.40.7-5f3a9c21.gz", core);

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Equal(OccurrenceStatus.Decoded, report.Occurrence.Status);
        Assert.Contains("thread_invoke", report.Occurrence.PanicMessage, StringComparison.Ordinal);
        var fromLog = await _core.Ingestor.IngestAsync(_core.Dump("log", Encoding.UTF8.GetBytes(Panic)), CancellationToken.None);
        Assert.Equal(report.Group.Id, fromLog.Group.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task NoPanicInside_IsRecordedInTheNoPanicGroupWithWarnings(int size)
    {
        var garbage = new byte[size];
        new Random(size).NextBytes(garbage);

        var report = await _core.Ingestor.IngestAsync(_core.Dump("core-garbage", garbage), CancellationToken.None);

        Assert.Equal(OccurrenceStatus.NoPanic, report.Occurrence.Status);
        Assert.Equal(WellKnownGroups.NoPanic, report.Group.Id);
    }

    [Fact]
    public async Task SizeAndHashThatDisagreeWithTheRelay_AreRecordedAsWarnings()
    {
        var message = _core.Dump("paniclog-changed", Encoding.UTF8.GetBytes(Panic));
        await File.AppendAllTextAsync(message.BlobUri.LocalPath, "tail added after the relay hashed it");

        var report = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Contains(report.Occurrence.Warnings, w => w.StartsWith("size mismatch", StringComparison.Ordinal));
        Assert.Contains(report.Occurrence.Warnings, w => w.StartsWith("SHA-256 mismatch", StringComparison.Ordinal));
        Assert.Equal(OccurrenceStatus.Decoded, report.Occurrence.Status);
    }

    [Fact]
    public async Task IncompleteDump_SaysSo()
    {
        var report = await _core.Ingestor.IngestAsync(_core.Dump("cut", Encoding.UTF8.GetBytes(Panic), complete: false), CancellationToken.None);

        Assert.False(report.Occurrence.Complete);
        Assert.Contains(report.Occurrence.Warnings, w => w.Contains("before EOF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingDump_ThrowsDumpMissing_AndCanBeRecordedAsFailed()
    {
        var message = _core.Dump("vanished", Encoding.UTF8.GetBytes(Panic));
        File.Delete(message.BlobUri.LocalPath);

        await Assert.ThrowsAsync<DumpMissingException>(() => _core.Ingestor.IngestAsync(message, CancellationToken.None));
        var failed = await _core.Ingestor.RecordFailureAsync(message, "the dump is gone", CancellationToken.None);

        Assert.Equal(OccurrenceStatus.Failed, failed.Occurrence.Status);
        Assert.Equal(WellKnownGroups.IngestFailed, failed.Group.Id);
        Assert.Contains("the dump is gone", failed.Occurrence.Warnings);
    }

    [Fact]
    public async Task FailureOfADumpAlreadyRecorded_KeepsTheRecording()
    {
        var message = _core.Dump("recorded", Encoding.UTF8.GetBytes(Panic));
        var first = await _core.Ingestor.IngestAsync(message, CancellationToken.None);

        var failed = await _core.Ingestor.RecordFailureAsync(message, "publishing kept failing", CancellationToken.None);

        Assert.Equal(first.Group.Id, failed.Group.Id);
        Assert.Equal(OccurrenceStatus.Decoded, failed.Occurrence.Status);
    }

    [Fact]
    public async Task ObserversHearEveryRecording_RedeliveriesMarked()
    {
        var observer = new RecordingObserver();
        using var core = new IngestCore(observers: observer);
        var message = core.Dump("observed", Encoding.UTF8.GetBytes(Panic));

        await core.Ingestor.IngestAsync(message, CancellationToken.None);
        await core.Ingestor.IngestAsync(message, CancellationToken.None);

        Assert.Equal([false, true], observer.Reports.Select(r => r.Redelivered));
    }

    [Theory]
    [InlineData("core-plain")]
    [InlineData("odd name #1 ?x=%20.gz")]
    public async Task FileMessage_SurvivesTheQueuesJson(string name)
    {
        var message = _core.Dump(name, Encoding.UTF8.GetBytes(Panic));

        var parsed = IngestMessage.FromJson(message.ToJson())!;

        Assert.True(parsed.BlobUri.IsFile);
        Assert.Equal(message.BlobUri.LocalPath, parsed.BlobUri.LocalPath);
        Assert.Equal(OccurrenceStatus.Decoded, (await _core.Ingestor.IngestAsync(parsed, CancellationToken.None)).Occurrence.Status);
    }

    public void Dispose() => _core.Dispose();

    private sealed class RecordingObserver : IIngestObserver
    {
        public List<CrashReport> Reports { get; } = [];

        public Task OnRecordedAsync(CrashReport report, CancellationToken cancellationToken)
        {
            Reports.Add(report);
            return Task.CompletedTask;
        }
    }
}
