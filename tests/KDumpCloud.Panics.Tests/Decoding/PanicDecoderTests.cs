using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Decoding;

public class PanicDecoderTests
{
    private const ulong Slide = 0x0d800000;
    private const ulong KextStart = 0xffffff7f8e390000;

    [Fact]
    public void Decode_X86Log_ReadsHeaderFieldsAndTrailer()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.X86(Slide, KextStart, cpu: 3));

        Assert.Equal("text-x86_64", report.Format);
        Assert.Equal(3, report.Cpu);
        Assert.Equal(SyntheticPanics.UnslidKernelBase + Slide + 0x89754, report.CallerAddress);
        Assert.Equal(PanicCategory.Message, report.Kind.Category);
        Assert.Equal("sched_prim.c", report.Kind.SourceFile);
        Assert.Equal(2231, report.Kind.SourceLine);
        Assert.Equal("17E199", report.OsBuild);
        Assert.Equal(Slide, report.KernelSlide);
        Assert.StartsWith("Darwin Kernel Version 17.5.0", report.KernelVersion, StringComparison.Ordinal);
        Assert.Equal("kernel_task", report.ProcessName);
        Assert.Equal("keepsyms=1", report.BootArgs);
        Assert.Equal(14578410381626UL, report.UptimeNanoseconds);
        Assert.Equal("32BCAB7F-2AEA-A951-3785-013ECFB913EA", report.AnonymousUuid);
        Assert.Equal("com.apple.driver.usb.cdc 5.0.0", report.LastLoadedKext);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Decode_X86Log_UnslidesKernelFramesAndMapsKextFramesToOffsets()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.X86(Slide, KextStart));

        Assert.Equal(7, report.Frames.Count);
        Assert.Equal(SyntheticPanics.UnslidKernelBase + 0x6e166, report.Frames[0].UnslidAddress);
        var kextFrame = report.Frames[4];
        Assert.Equal("com.example.driver.Widget", kextFrame.Kext);
        Assert.Equal(0x79fdUL, kextFrame.KextOffset);
        var kext = Assert.Single(report.Kexts);
        Assert.Equal("10.3.1", kext.Version);
        Assert.Equal(["com.apple.iokit.IOPCIFamily"], kext.Dependencies);
        Assert.Equal("com.example.driver.Widget", report.Culprit);
    }

    [Fact]
    public void Decode_Arm64PanicString_StripsPointerAuthenticationAndUnslides()
    {
        const ulong cacheSlide = 0x14acc000;
        var report = PanicDecoder.Decode(SyntheticPanics.Arm64(cacheSlide));

        Assert.Equal("arm64", report.Architecture);
        Assert.Equal("text-arm64", report.Format);
        Assert.Equal(PanicCategory.DataAbort, report.Kind.Category);
        Assert.Equal(cacheSlide, report.KernelCacheSlide);
        Assert.Equal(402, report.Pid);
        Assert.Equal("WindowManager", report.ProcessName);
        Assert.Equal("0xfffffe198f1e5f40", report.PanickedThread);
        Assert.Equal("14", report.PaniclogVersion);
        Assert.Equal(3, report.Frames.Count);
        Assert.Equal(0xfffffe0007004000UL + 0x3000, report.Frames[2].UnslidAddress);
        Assert.Equal(0xfffffe0007004000UL + 0x3000 + cacheSlide, report.Frames[2].ReturnAddress);
    }

    [Fact]
    public void Decode_JsonPanicFile_DecodesPanicStringAndHeader()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.Json(SyntheticPanics.Arm64(0x4000)));

        Assert.Equal(PanicContainer.JsonPanic, report.Container);
        Assert.Equal(PanicCategory.DataAbort, report.Kind.Category);
        Assert.Equal("24E248", report.OsBuild);
        Assert.Equal(3, report.Frames.Count);
    }

    [Fact]
    public void Decode_IntelJsonPanicFile_UsesMacOsPanicString()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.Json(SyntheticPanics.X86(Slide, KextStart), key: "macOSPanicString"));

        Assert.Equal(PanicContainer.JsonPanic, report.Container);
        Assert.Equal("text-x86_64", report.Format);
        Assert.Equal("com.example.driver.Widget", report.Culprit);
    }

    [Fact]
    public void Decode_JsonWithHardWrappedStrings_RecoversTextAndWarns()
    {
        var json = SyntheticPanics.Json(SyntheticPanics.Arm64(0x4000));
        var wrapped = new StringBuilder();
        for (var i = 0; i < json.Length; i += 70)
        {
            wrapped.Append(json.AsSpan(i, Math.Min(70, json.Length - i))).Append('\n');
        }

        var report = PanicDecoder.Decode(wrapped.ToString());

        Assert.Equal(PanicCategory.DataAbort, report.Kind.Category);
        Assert.Equal(3, report.Frames.Count);
        Assert.Contains(report.Warnings, w => w.Contains("lenient", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_JsonOfAnotherBugType_Warns()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.Json(SyntheticPanics.Arm64(0x4000), bugType: "309"));

        Assert.Contains(report.Warnings, w => w.Contains("309", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_MarkdownQuotedLog_StripsOneQuoteLevelAndKeepsKextPrefix()
    {
        var quoted = string.Join('\n', SyntheticPanics.X86(Slide, KextStart).Split('\n').Select(line => "> " + line));

        var report = PanicDecoder.Decode(quoted);

        Assert.Equal("com.example.driver.Widget", report.Culprit);
        Assert.Equal("com.apple.driver.usb.cdc 5.0.0", report.LastLoadedKext);
        Assert.Contains(report.Warnings, w => w.Contains("quote", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_TwoPanicsPastedTogether_DecodesTheFirstAndWarns()
    {
        var first = SyntheticPanics.X86(Slide, KextStart);
        var second = SyntheticPanics.X86(0x1f200000, 0xffffff7f80042000, kext: "com.example.driver.Gadget", cpu: 6);

        var report = PanicDecoder.Decode(first + "\n" + second);

        Assert.Equal(0, report.Cpu);
        Assert.Equal(7, report.Frames.Count);
        Assert.Equal("com.example.driver.Widget", Assert.Single(report.Kexts).BundleId);
        Assert.Contains(report.Warnings, w => w.Contains("another panic", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_LongAbbreviatedKextList_IsNotMistakenForQuoting()
    {
        var log = SyntheticPanics.X86(Slide, KextStart) + string.Concat(Enumerable.Range(0, 200).Select(i => $">!AKext{i}\t1.0\n"));

        var report = PanicDecoder.Decode(log);

        Assert.DoesNotContain(report.Warnings, w => w.Contains("quote", StringComparison.Ordinal));
        Assert.Equal("com.example.driver.Widget", report.Culprit);
    }

    [Theory]
    [InlineData("macpanic(")]
    [InlineData(";;qpanic(")]
    [InlineData("`panic(")]
    public void Decode_JunkGluedBeforePanic_FindsThePanicLine(string junk)
    {
        var log = SyntheticPanics.X86(Slide, KextStart).Replace("panic(", junk, StringComparison.Ordinal);

        var report = PanicDecoder.Decode(log);

        Assert.Equal("sched_prim.c", report.Kind.SourceFile);
        Assert.Equal(SyntheticPanics.UnslidKernelBase + Slide + 0x89754, report.CallerAddress);
    }

    [Fact]
    public void Decode_HtmlEntitiesInKextRange_AreDecoded()
    {
        var log = SyntheticPanics.X86(Slide, KextStart).Replace("->", "-&gt;", StringComparison.Ordinal);

        var report = PanicDecoder.Decode(log);

        Assert.Equal(KextStart + 0x678fff, Assert.Single(report.Kexts).End);
    }

    [Fact]
    public void Decode_SpacesInjectedIntoKextUuidAndAddress_AreIgnored()
    {
        var log = SyntheticPanics.X86(Slide, KextStart)
            .Replace("[8E2AB3E3-4EE5-3F90-B6D8-54CEB8595A5F]", "[8E2AB3E3-4EE5-3F90-B6D8-54CEB859 5A5F]", StringComparison.Ordinal)
            .Replace("@0xffffff7f8e390000->", "@0xffffff 7f8e390000->", StringComparison.Ordinal);

        var kext = Assert.Single(PanicDecoder.Decode(log).Kexts);

        Assert.Equal("8E2AB3E3-4EE5-3F90-B6D8-54CEB8595A5F", kext.Uuid);
        Assert.Equal(KextStart, kext.Start);
    }

    [Fact]
    public void Decode_KdumpPanicLogWithFill_StopsAtTheFill()
    {
        var text = Encoding.UTF8.GetBytes(SyntheticPanics.X86(Slide, KextStart));
        var file = new byte[text.Length + 4096];
        text.CopyTo(file, 0);
        file.AsSpan(text.Length + 1).Fill(0xff);

        var report = PanicDecoder.Decode(file);

        Assert.Equal(PanicContainer.KdumpPanicLog, report.Container);
        Assert.Equal("com.example.driver.Widget", report.Culprit);
        Assert.Contains(report.Warnings, w => w.Contains("fill", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("panic(cpu 1 caller 0x0019CADF): Unresolved kernel trap (CPU 1, Type\n 14=page fault), registers:\nCR0: 0x8001003b", 14, "page fault")]
    [InlineData("panic(cpu 0 caller 0xffffff801d217cc2): Kernel trap at 0xffffff801d2125f4, type 6=invalid opcode, registers:\nCR0: 0x0", 6, "invalid opcode")]
    public void Decode_TrapMessages_ReadTrapTypeEvenWhenWrapped(string log, int type, string name)
    {
        var report = PanicDecoder.Decode(log);

        Assert.Equal(PanicCategory.Trap, report.Kind.Category);
        Assert.Equal(type, report.Kind.TrapType);
        Assert.Equal(name, report.Kind.TrapName);
    }

    [Fact]
    public void Decode_SleepWakeTimeout_NamesTheSuspectedBundle()
    {
        var report = PanicDecoder.Decode("panic(cpu 0 caller 0xffffff800c0a2d1c): Sleep transition timed out after 180 seconds while calling power state change callbacks. Suspected bundle: com.example.Net. Thread 0x12ee.\nFailure code:: 0x00000040 00000014\n");

        Assert.Equal(PanicCategory.SleepWakeTimeout, report.Kind.Category);
        Assert.Equal("com.example.Net", report.Culprit);
    }

    [Fact]
    public void Decode_UserspaceWatchdog_NamesTheService()
    {
        var report = PanicDecoder.Decode("panic(cpu 0 caller 0xfffffe001ececdf0): userspace watchdog timeout: no successful checkins from remoted (2 induced crashes) in 180 seconds\nservice: remoted, total successful checkins since wake (1 seconds ago): 0\n");

        Assert.Equal(PanicCategory.UserspaceWatchdog, report.Kind.Category);
        Assert.Equal("remoted", report.Culprit);
    }

    [Fact]
    public void Decode_Assertion_ReadsFileAndLine()
    {
        var report = PanicDecoder.Decode("panic(cpu 0 caller 0xffffff8003df2892): assertion failed: so != NULL, file: /Users/x/xnu/bsd/netinet/mptcp_subr.c, line: 1113\nBacktrace (CPU 0), Frame : Return Address\n");

        Assert.Equal(PanicCategory.Assertion, report.Kind.Category);
        Assert.Equal("mptcp_subr.c", report.Kind.SourceFile);
        Assert.Equal(1113, report.Kind.SourceLine);
    }

    [Fact]
    public void Decode_PowerPcLog_ReadsOneLineBacktraceAndKextWithoutEnd()
    {
        const string log = "Unresolved kernel trap(cpu 0): 0x300 - Data access DAR=0x000000000DEFACF7 PC=0x00000000007A2260\n"
            + "Latest crash info for cpu 0:\n  Exception state (sv=0x3AA12A00)\n"
            + "    PC=0x007A2260; MSR=0x00009030; DAR=0x0DEFACF7; DSISR=0x40000000; LR=0x007A1D48; R1=0x17443B60; XCP=0x0000000C (0x300 - Data access)\n"
            + "    Backtrace: 0x01BC80AC 0x007A1D48 0x0079FA54\n"
            + "    Kernel loadable modules in backtrace (with dependencies):\n      com.apple.driver.AppleAirPort(3.4.4)@0x797000\n"
            + "\nKernel version:\nDarwin Kernel Version 8.8.0: Fri Sep  8 17:18:57 PDT 2006; root:xnu-792.12.6.obj~1/RELEASE_PPC\n";

        var report = PanicDecoder.Decode(log);

        Assert.Equal("text-ppc", report.Format);
        Assert.Equal(PanicCategory.Trap, report.Kind.Category);
        Assert.Equal(3, report.Frames.Count);
        Assert.Equal("com.apple.driver.AppleAirPort", Assert.Single(report.Kexts).BundleId);
    }

    [Fact]
    public void Decode_BridgeOsStringWithoutPanicPrefix_TakesItAsTheMessage()
    {
        var report = PanicDecoder.Decode(SyntheticPanics.Json("Unexpected SoC (system) watchdog reset occurred during sleep/wake transition"));

        Assert.Equal(PanicCategory.Watchdog, report.Kind.Category);
        Assert.StartsWith("Unexpected SoC", report.PanicMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0")]
    [InlineData("hello world")]
    [InlineData("panic(")]
    [InlineData("panic(cpu")]
    [InlineData("{\"panicString\" : \"")]
    [InlineData("Kernel Extensions in backtrace:\ncom.x(1)@0x")]
    public void Decode_EmptyOrMeaninglessInput_ReturnsWarningsInsteadOfThrowing(string text)
    {
        var report = PanicDecoder.Decode(Encoding.UTF8.GetBytes(text));

        Assert.NotEmpty(report.Warnings);
    }

    [Fact]
    public void Decode_AbbreviatedLoadedKextNames_AreExpanded()
    {
        var report = PanicDecoder.Decode("panic(cpu 0 caller 0xffffff800c0a2d1c): x\nlast started kext at 36530783870: |IOUSBHost!F\t1.2 (addr 0xffffff7fb1cb5000, size 28672)\n");

        Assert.Equal("com.apple.iokit.IOUSBHostFamily 1.2", report.LastStartedKext);
    }

    [Theory]
    [InlineData("Model: MacBookPro11,3, BootROM MBP112.0145.B00, 4 processors, Intel Core i7, 2.6 GHz, 16 GB", "MacBookPro11,3")]
    [InlineData("Model: iMac4,1, BootROM IM41.0055.B02, 2 processors", "iMac4,1")]
    [InlineData("Model: Mac15,3", "Mac15,3")]
    public void ProfilerModelLine_KeepsTheCommaOfTheIdentifier(string line, string model)
    {
        var report = PanicDecoder.Decode("panic(cpu 0 caller 0xffffff800c0a2d1c): x\n\nMac OS version:\n17G65\n" + line + "\n");

        Assert.Equal(model, report.Model);
    }
}
