using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>Architecture guesses and address normalisation (panic-formats.md 2.6 notes, 3 "Address normalisation").</summary>
internal static class AddressSpace
{
    public const string X86_64 = "x86_64";
    public const string Arm64 = "arm64";
    public const string I386 = "i386";
    public const string PowerPc = "ppc";

    /// <summary>From the kernel version's RELEASE_ suffix, the body grammar, or the shape of kernel addresses.</summary>
    public static string? Architecture(string? kernelVersion, bool isPowerPc, ulong? caller, IReadOnlyList<BacktraceFrame> frames)
    {
        if (kernelVersion is not null)
        {
            if (kernelVersion.Contains("X86_64", StringComparison.OrdinalIgnoreCase))
            {
                return X86_64;
            }

            if (kernelVersion.Contains("ARM64", StringComparison.OrdinalIgnoreCase))
            {
                return Arm64;
            }

            if (kernelVersion.Contains("I386", StringComparison.OrdinalIgnoreCase))
            {
                return I386;
            }

            if (kernelVersion.Contains("PPC", StringComparison.OrdinalIgnoreCase))
            {
                return PowerPc;
            }
        }

        if (isPowerPc)
        {
            return PowerPc;
        }

        if (caller is { } callerAddress && ArchitectureOf(callerAddress) is { } fromCaller)
        {
            return fromCaller;
        }

        foreach (var frame in frames)
        {
            if (ArchitectureOf(frame.ReturnAddress) is { } fromFrame)
            {
                return fromFrame;
            }
        }

        return null;
    }

    private static string? ArchitectureOf(ulong address) => address switch
    {
        _ when IsArm64Kernel(address) => Arm64,
        _ when address >> 32 is 0xffffff80 or 0xffffff7f => X86_64,
        > 0x1000 and <= 0xffffffff => I386,
        _ => null,
    };

    /// <summary>arm64 kernel text: 0xfffffe00... (fileset kernelcaches) or 0xfffffff0... (older kernelcaches).</summary>
    public static bool IsArm64Kernel(ulong address) => address >> 40 == 0xfffffe || address >> 36 == 0xfffffff;

    /// <summary>Restores the upper bits that pointer authentication replaced (bits 47 and up, section 3).</summary>
    public static ulong StripPointerAuthentication(ulong address)
    {
        const ulong upper = 0xffff_8000_0000_0000;
        var looksLikeKernelHalf = (address & 0x0000_7f00_0000_0000) == 0x0000_7e00_0000_0000;
        return looksLikeKernelHalf && (address & upper) != upper ? address | upper : address;
    }

    /// <summary>
    /// KASLR slides are a whole number of these, so an address modulo the granule is invariant across boots even
    /// when the log was cut before its slide line: 2 MiB on x86_64 (the kernel is loaded on a large-page boundary),
    /// 16 KiB pages on arm64. Used only where an unslid address is not available for every log.
    /// </summary>
    public static ulong SlideGranule(string? architecture) => architecture switch
    {
        X86_64 => 0x20_0000,
        Arm64 => 0x4000,
        _ => 0,
    };
}
