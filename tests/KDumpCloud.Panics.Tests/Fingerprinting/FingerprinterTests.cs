using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

public class FingerprinterTests
{
    private static CrashFingerprint Of(string log) => Fingerprinter.Compute(PanicDecoder.Decode(log));

    [Fact]
    public void Compute_SameBugOnAnotherBootAndMachine_SameHash()
    {
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, cpu: 0));
        var second = Of(SyntheticPanics.X86(0x19000000, 0xffffff7f9a749000, cpu: 5, anonymousUuid: "036BFAD2-6CAF-415E-AD5B-6481662E4F9D"));

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Signature, second.Signature);
    }

    [Fact]
    public void Compute_CountersAndAddressesInsideTheMessage_DoNotChangeTheHash()
    {
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "watchdog timeout: no checkins from watchdogd in 95 seconds (2169 total checkins since monitoring last enabled)"));
        var second = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "watchdog timeout: no checkins from watchdogd in 301 seconds (8 total checkins since monitoring last enabled)"));

        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void Compute_SameKextDifferentMessageTemplate_DifferentHash()
    {
        var wired = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "\"IOGMD: not wired for the IODMACommand\"@/BuildRoot/xnu/iokit/Kernel/IOMemoryDescriptor.cpp:2337"));
        var overflow = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "\"overflow detected\"@/BuildRoot/xnu/osfmk/mach/vm_param.h:364"));

        Assert.NotEqual(wired.Hash, overflow.Hash);
    }

    [Fact]
    public void Compute_SameTemplateDifferentCulprit_DifferentHash()
    {
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, kext: "com.example.driver.Widget"));
        var second = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, kext: "com.example.driver.Gadget"));

        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Fact]
    public void Compute_SourceLineMovesBetweenBuilds_SameHash()
    {
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "nvme: \"Fatal error occurred. CSTS=0xffffffff US[1]=0x0 VID/DID=0x2260126f\n. FW Revision=C2.3.21\\n\"@/BuildRoot/IONVMeFamily-387/IONVMeController.cpp:5334"));
        var second = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: "nvme: \"Fatal error occurred. CSTS=0x1 US[1]=0x0 VID=0x144d DID=0xa808\n. FW Revision=EXA7301Q\\n\"@/AppleInternal/IONVMeFamily-470/IONVMeController.cpp:5320"));

        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void Compute_TrapsAtDifferentLocations_DifferentHash()
    {
        const string trap = "Kernel trap at 0x{0:x}, type 14=page fault, registers:";
        var slid = SyntheticPanics.UnslidKernelBase + 0x0d800000;
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: string.Format(System.Globalization.CultureInfo.InvariantCulture, trap, slid + 0x1234)));
        var second = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: string.Format(System.Globalization.CultureInfo.InvariantCulture, trap, slid + 0x5678)));

        Assert.NotEqual(first.Hash, second.Hash);
        Assert.Contains(first.Components, c => c.StartsWith("frames=", StringComparison.Ordinal));
    }

    [Fact]
    public void Compute_TrapOnAnotherBoot_SameHash()
    {
        static string Trap(ulong slide) => $"Kernel trap at 0x{SyntheticPanics.UnslidKernelBase + slide + 0x1234:x}, type 14=page fault, registers:";
        var first = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: Trap(0x0d800000)));
        var second = Of(SyntheticPanics.X86(0x1f200000, 0xffffff7f80042000, message: Trap(0x1f200000)));

        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void Compute_Arm64OnAnotherBoot_SameHash()
    {
        Assert.Equal(Of(SyntheticPanics.Arm64(0x14acc000)).Hash, Of(SyntheticPanics.Arm64(0x0af58000)).Hash);
    }

    [Fact]
    public void Compute_AnyReport_ExplainsItselfAndKeepsTheSignatureShort()
    {
        var fingerprint = Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000, message: new string('x', 2000)));

        Assert.Equal(Fingerprinter.Version, fingerprint.Version);
        Assert.Equal(32, fingerprint.Hash.Length);
        Assert.True(fingerprint.Signature.Length <= 255, fingerprint.Signature);
        Assert.Contains("version=" + Fingerprinter.Version, fingerprint.Components);
        Assert.Contains(fingerprint.Components, c => c.StartsWith("culprit=", StringComparison.Ordinal));
    }

    [Fact]
    public void Compute_NothingIdentifying_SaysEmpty()
    {
        Assert.StartsWith("EMPTY:", Of("no panic here").Signature, StringComparison.Ordinal);
        Assert.DoesNotContain("EMPTY", Of(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000)).Signature, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DCP PANIC - IOMFB int_handler_gated: failure: axi_rd_err [0x40300034]", "DCPEXT2 PANIC - IOMFB int_handler_gated: failure: axi_rd_err [0x40300634]")]
    [InlineData("watchdog timeout: no checkins from watchdogd in 91 seconds", "watchdog timeout: no checkins from watchdogd in 180 seconds")]
    [InlineData("Thread 0x12ee is stuck, uuid 1B55340B-0B14-3026-8A47-1E139DB63DA3", "Thread 0x9914 is stuck, uuid 3B8E016C-1E7A-3E8C-801C-4CC7E8B20035")]
    public void Normalize_PerEventValues_GiveTheSameTemplate(string first, string second)
    {
        Assert.Equal(MessageTemplate.Normalize(first), MessageTemplate.Normalize(second));
    }

    [Theory]
    [InlineData("watchdog timeout: no checkins from watchdogd in 95 seconds", "watchdog timeout: no checkins from watchdogd in 95 seconds, shutdown in progress")]
    [InlineData("IO80211FamilyLegacy stalled", "IO80212FamilyLegacy stalled")]
    public void Normalize_DifferentWording_GivesDifferentTemplates(string first, string second)
    {
        Assert.NotEqual(MessageTemplate.Normalize(first), MessageTemplate.Normalize(second));
    }
}
