using System.Globalization;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

/// <summary>
/// One synthetic fixture per kdc-fp-2 rule (README.md, "What separates two reports of one bug"): two reports of one
/// bug that differ the way real ones do must share a hash and say which rule made them, and the nearest different
/// bug must not. Real logs stay in ../shared; these are written here.
/// </summary>
public class GeneralisationRulesTests
{
    private const ulong Slide = 0x0d800000;
    private const ulong KextStart = 0xffffff7f8e390000;

    private static CrashFingerprint Of(string log) => Fingerprinter.Compute(PanicDecoder.Decode(log));

    private static string Full(string message, string kext = "com.example.driver.Widget", ulong slide = Slide, ulong kextStart = KextStart) =>
        SyntheticPanics.X86(slide, kextStart, message: message, kext: kext);

    private static string CutBefore(string log, string marker) => log[..log.IndexOf(marker, StringComparison.Ordinal)];

    [Fact]
    public void MessageClassMethod_BacktraceCutOrNamingAnotherKext_SameHashAndTheMethodIsTheCulprit()
    {
        const string message = "AppleWidgetController::resetPort(3) timed out after 5000 ms";
        var full = Of(Full(message));
        var cut = Of(CutBefore(Full(message, slide: 0x1f200000), "Backtrace"));

        Assert.Equal(full.Hash, cut.Hash);
        Assert.Equal("AppleWidgetController::resetPort", PanicDecoder.Decode(Full(message)).Culprit);
        Assert.Contains(full.Explanation, line => line.Contains("culprit from message: AppleWidgetController::resetPort", StringComparison.Ordinal)
            && line.Contains("rule " + FingerprintRules.MessageClassMethod, StringComparison.Ordinal));
    }

    [Fact]
    public void MethodTimeout_WordingChangedBetweenReleases_SameHash_AnotherMethod_DifferentHash()
    {
        var older = Of(Full("AppleWidgetController::resetPort(3) timed out after 5000 ms"));
        var newer = Of(Full("AppleWidgetController::resetPort: port 1 reset timed out (state 0x4), giving up"));
        var other = Of(Full("AppleWidgetController::powerDown(3) timed out after 5000 ms"));

        Assert.Equal(older.Hash, newer.Hash);
        Assert.NotEqual(older.Hash, other.Hash);
        Assert.Contains(newer.Explanation, line => line.Contains("rule " + FingerprintRules.MethodTimeout, StringComparison.Ordinal));
    }

    [Fact]
    public void MessageClassMethod_SameClassOtherMessageWithoutTimeout_KeepsItsTemplate()
    {
        var first = Of(Full("AppleWidgetController::start: bad descriptor"));
        var second = Of(Full("AppleWidgetController::start: no power"));

        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Fact]
    public void WatchdogService_ServiceNamedTwoWaysAcrossReleases_SameHash()
    {
        var catalina = Of(Full("userspace watchdog timeout: no successful checkins from com.apple.WindowServer in 120 seconds\nservice: com.apple.logd, total successful checkins since load (4510 seconds ago): 452"));
        var sonoma = Of(Full("userspace watchdog timeout: no successful checkins from WindowServer (2 induced crashes) in 120 seconds\nWindowServer has not exited since first loaded\nservice: logd, total successful checkins in 2662 seconds: 255"));

        Assert.Equal(catalina.Hash, sonoma.Hash);
        Assert.Contains(sonoma.Explanation, line => line.Contains("service WindowServer", StringComparison.Ordinal)
            && line.Contains("rule " + FingerprintRules.WatchdogService, StringComparison.Ordinal));
    }

    [Fact]
    public void WatchdogService_SameServiceStuckOnAnotherQueue_DifferentHash()
    {
        static string Logd(string queue) =>
            $"userspace watchdog timeout: no successful checkins from logd in 120 seconds\nservice returned not alive with context : unresponsive dispatch queue(s): {queue} \nservice: logd, total successful checkins in 131117 seconds: 13097";

        Assert.NotEqual(Of(Full(Logd("com.apple.firehose.io-wl"))).Hash, Of(Full(Logd("com.apple.firehose.drain-mem"))).Hash);
        Assert.NotEqual(Of(Full(Logd("com.apple.firehose.io-wl"))).Hash, Of(Full(Logd("com.apple.firehose.io-wl").Replace("logd", "remoted", StringComparison.Ordinal))).Hash);
    }

    [Fact]
    public void MessageKeyed_LogCutBeforeItsKextListOrWithAnotherThirdPartyKext_SameHash()
    {
        const string message = "\"tcp_lock: so=0xffffff8092e779e0 NO PCB! lr=0xffffff7f945aefcf\"@/BuildRoot/xnu/bsd/netinet/tcp_subr.c:2855";
        var full = Of(Full(message));
        var cut = Of(CutBefore(Full(message, slide: 0x1f200000), "Kernel Extensions"));
        var otherKext = Of(Full(message, kext: "com.example.filter.Other"));

        Assert.Equal(full.Hash, cut.Hash);
        Assert.Equal(full.Hash, otherKext.Hash);
        Assert.Contains(full.Explanation, line => line.Contains("rule " + FingerprintRules.MessageKeyed, StringComparison.Ordinal));
    }

    [Fact]
    public void MessageKeyed_SchedulerPanicsOnBehalfOfItsCaller_CulpritStaysInTheHash()
    {
        // sched_prim.c reports a caller's broken contract (preemption left disabled): the backtrace names the caller.
        var first = Of(Full("\"thread_invoke: preemption_level 1, possible cause: blocking\"@/BuildRoot/xnu/osfmk/kern/sched_prim.c:2231", kext: "com.example.driver.Widget"));
        var second = Of(Full("\"thread_invoke: preemption_level 1, possible cause: blocking\"@/BuildRoot/xnu/osfmk/kern/sched_prim.c:2231", kext: "com.example.driver.Gadget"));

        Assert.NotEqual(first.Hash, second.Hash);
        Assert.DoesNotContain(first.Explanation, line => line.Contains(FingerprintRules.MessageKeyed, StringComparison.Ordinal));
    }

    [Fact]
    public void TemplateCase_CapitalisationChangedBetweenReleases_SameHash()
    {
        var older = Of(Full("\"OSXFUSE: Attempted to lock max-locked recursive lock.\"@/Users/dev/osxfuse/kext/fuse_locking.c:434", kext: "com.example.fuse.old"));
        var newer = Of(Full("\"osxfuse: Attempted to lock max-locked recursive lock.\"@/Users/dev/osxfuse/kext/fuse_locking.c:432", kext: "com.example.fuse"));

        Assert.Equal(older.Hash, newer.Hash);
    }

    [Theory]
    [InlineData("busy timeout[1], (60s): 'IOMediaBSDClient' (1,1812001) @IOService.cpp:5986", "busy timeout[0], (120s): 'IOMediaBSDClient' (1e,4020001) @IOService.cpp:5990")]
    [InlineData("stuck for 500ms on queue 2d", "stuck for 12ms on queue 7f")]
    public void TemplateValues_RegistryIdsAndDurations_SameTemplate(string first, string second)
    {
        Assert.Equal(MessageTemplate.Normalize(first), MessageTemplate.Normalize(second));
    }

    [Theory]
    [InlineData("busy timeout: 'IOMediaBSDClient'", "busy timeout: 'IONVMeController'")]
    [InlineData("bad 3rd party state", "bad add party state")]
    public void TemplateValues_WordsStay(string first, string second)
    {
        Assert.NotEqual(MessageTemplate.Normalize(first), MessageTemplate.Normalize(second));
    }

    [Fact]
    public void SleepWakeFailureCode_SameCodeSameHash_OtherCodeDifferentHash()
    {
        static string Report(string code, string date) =>
            $"Sleep Wake failure in EFI\n\nFailure code:: {code}\n\nPlease IGNORE the below stackshot\n\n====\nDate/Time:        {date}\nEvent:            Sleep Wake Failure\n";
        var first = Of(Report("0x00000000 0x0000001f", "2020-12-10 06:16:09"));
        var repost = Of("`" + Report("0x00000000   0x0000001f", "2020-12-10 06:16:09").Replace("  ", " ", StringComparison.Ordinal));
        var other = Of(Report("0xffffffff 0x0000001f", "2020-05-08 11:40:58"));

        Assert.Equal(first.Hash, repost.Hash);
        Assert.NotEqual(first.Hash, other.Hash);
        Assert.DoesNotContain("EMPTY", first.Signature, StringComparison.Ordinal);
        Assert.Contains(first.Explanation, line => line.Contains("rule " + FingerprintRules.SleepWakeFailureCode, StringComparison.Ordinal));
    }

    [Fact]
    public void LocationTwoFrames_TrapLogCutAfterTheCallerFrame_SameHash()
    {
        var trap = $"Kernel trap at 0x{SyntheticPanics.UnslidKernelBase + Slide + 0x89754:x}, type 14=page fault, registers:";
        // Both lack the kext list (which would name a culprit the cut one cannot know: README, "Not absorbed").
        var full = CutBefore(Full(trap), "Kernel Extensions");
        // Cut in the middle of the backtrace, two lines after the faulting frame, as an excerpt limit does.
        var faultLine = full.IndexOf($"0x{SyntheticPanics.UnslidKernelBase + Slide + 0x89754:x} \n", StringComparison.Ordinal);
        var cut = full[..full.IndexOf('\n', full.IndexOf('\n', faultLine) + 1)];

        Assert.Equal(Of(full).Hash, Of(cut).Hash);
        Assert.Contains(Of(full).Explanation, line => line.Contains("rule " + FingerprintRules.LocationTwoFrames, StringComparison.Ordinal));
    }

    [Fact]
    public void KextOffset_FrameNamingItsKextAndDecimalOffset_IsDecodedKextRelative()
    {
        var log = "panic(cpu 0 caller 0xffffff7fac0e828c): Kernel trap at 0xffffff7fac0e828c, type 14=page fault, registers:\n"
            + "Backtrace (CPU 0), Frame : Return Address\n"
            + "0xffffff802ef53dc0 : 0xffffff802a72ad21 mach_kernel : _panic + 0xd1\n"
            + "0xffffff802ef53e40 : 0xffffff7fac0e828c com.example.fs.Widget + 33420\n";
        var frame = PanicDecoder.Decode(log).Frames[1];

        Assert.Equal("com.example.fs.Widget", frame.Kext);
        Assert.Equal(33420UL, frame.KextOffset);
        Assert.Contains(Of(log).Components, c => c.Contains("com.example.fs.Widget+0x" + 33420.ToString("x", CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void JsonAndText_OnePanicInBothForms_SameHash()
    {
        var text = SyntheticPanics.Arm64(0x14acc000, message: "AppleWidgetController::resetPort(3) timed out after 5000 ms");

        Assert.Equal(Of(text).Hash, Of(SyntheticPanics.Json(text)).Hash);
    }

    [Fact]
    public void Explanation_EveryFingerprintSaysWhereItsCulpritCameFrom()
    {
        var fingerprint = Of(Full("\"thread_invoke: preemption_level 1, possible cause: blocking\"@/BuildRoot/xnu/osfmk/kern/sched_prim.c:2231"));

        Assert.Contains(fingerprint.Explanation, line => line.StartsWith("culprit: com.example.driver.Widget (", StringComparison.Ordinal));
    }
}
