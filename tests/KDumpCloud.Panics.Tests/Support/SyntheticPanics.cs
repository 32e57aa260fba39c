using System.Globalization;
using System.Text;

namespace KDumpCloud.Panics.Tests.Support;

/// <summary>
/// Builds panic logs in the grammars of panic-formats.md with chosen slides, kext load addresses and messages,
/// so that tests can vary exactly one per-boot value and check what changes.
/// </summary>
internal static class SyntheticPanics
{
    public const ulong UnslidKernelBase = 0xffffff8000200000;

    /// <summary>An x86_64 10.13-style log (section 2): frames in the kernel and in one third-party kext.</summary>
    public static string X86(ulong slide, ulong kextStart, string message = "\"thread_invoke: preemption_level 1, possible cause: blocking\"@/BuildRoot/xnu/osfmk/kern/sched_prim.c:2231",
        string kext = "com.example.driver.Widget", int cpu = 0, string anonymousUuid = "32BCAB7F-2AEA-A951-3785-013ECFB913EA")
    {
        ulong Kernel(ulong offset) => UnslidKernelBase + slide + offset;
        var caller = Kernel(0x89754);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Anonymous UUID:       {anonymousUuid}\n\nSun Aug 19 13:01:16 2018\n\n*** Panic Report ***\n");
        text.Append(CultureInfo.InvariantCulture, $"panic(cpu {cpu} caller 0x{caller:x}): {message}\n");
        text.Append(CultureInfo.InvariantCulture, $"Backtrace (CPU {cpu}), Frame : Return Address\n");
        ulong frame = 0xffffff81f8ec3610 + (ulong)cpu * 0x1000;
        foreach (var address in (ulong[])[Kernel(0x6e166), Kernel(0x196714), caller, Kernel(0x885df), kextStart + 0x79fd, kextStart + 0xf029, Kernel(0x1f4f7)])
        {
            text.Append(CultureInfo.InvariantCulture, $"0x{frame:x} : 0x{address:x} \n");
            frame += 0x40;
        }

        text.Append("      Kernel Extensions in backtrace:\n");
        text.Append(CultureInfo.InvariantCulture, $"         {kext}(10.3.1)[8E2AB3E3-4EE5-3F90-B6D8-54CEB8595A5F]@0x{kextStart:x}->0x{kextStart + 0x678fff:x}\n");
        text.Append("            dependency: com.apple.iokit.IOPCIFamily(2.9)[1850E7DA-E707-3027-A3AA-637C80B57219]@0xffffff7f8e294000\n");
        text.Append("            dependency: com.apple.iokit.IOPCIFamily(2.9)[1850E7DA-E707-3027-A3AA-637C80B57219]@0xffffff7f8e294000\n\n");
        text.Append("BSD process name corresponding to current thread: kernel_task\nBoot args: keepsyms=1\n\nMac OS version:\n17E199\n\n");
        text.Append("Kernel version:\nDarwin Kernel Version 17.5.0: Mon Mar  5 22:24:32 PST 2018; root:xnu-4570.51.1~1/RELEASE_X86_64\n");
        text.Append("Kernel UUID: 1B55340B-0B14-3026-8A47-1E139DB63DA3\n");
        text.Append(CultureInfo.InvariantCulture, $"Kernel slide:     0x{slide:x16}\nKernel text base: 0x{UnslidKernelBase + slide:x16}\n");
        text.Append("System model name: MacBookPro11,3 (Mac-2BD1B31983FE1663)\n\nSystem uptime in nanoseconds: 14578410381626\n");
        text.Append("last loaded kext at 6285423941732: >usb.cdc\t5.0.0 (addr 0xffffff7f916d0000, size 28672)\n");
        text.Append("loaded kexts:\n").Append(kext).Append("\t10.3.1\n>!AHDA\t281.52\n|IOPCI!F\t2.9\n");
        return text.ToString();
    }

    /// <summary>The same log from its panic( line on, as it sits in kernel memory (no report header).</summary>
    public static string FromPanicLine(string log) => log[log.IndexOf("panic(", StringComparison.Ordinal)..];

    /// <summary>An Apple-silicon panic string (section 3) with a PAC-signed link register.</summary>
    public static string Arm64(ulong cacheSlide, string? message = null)
    {
        ulong Unslid(ulong offset) => 0xfffffe0007004000 + offset;
        message ??= $"Kernel data abort. at pc 0x{Unslid(0x2000) + cacheSlide:x}, lr 0x{(Unslid(0x1000) + cacheSlide) & 0x0000_7fff_ffff_ffff | 0x1df3_0000_0000_0000:x} (saved state: 0xfffffec134006f80)";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"panic(cpu 2 caller 0x{Unslid(0x1000) + cacheSlide:x}): {message}\n");
        text.Append("Debugger message: panic\nMemory ID: 0x6\nOS release type: User\nOS version: 24E248\n");
        text.Append("Kernel version: Darwin Kernel Version 24.4.0: Wed Mar 19 21:17:25 PDT 2025; root:xnu-11417.101.15~1/RELEASE_ARM64_T6020\n");
        text.Append("Kernel UUID: 3B8E016C-1E7A-3E8C-801C-4CC7E8B20035\nPaniclog version: 14\n");
        text.Append(CultureInfo.InvariantCulture, $"KernelCache slide: 0x{cacheSlide:x16}\nKernelCache base:  0x{0xfffffe0007004000 + cacheSlide:x16}\n");
        text.Append("Panicked task 0xfffffe252683aaf8: 2720 pages, 5 threads: pid 402: WindowManager\n");
        text.Append("Panicked thread: 0xfffffe198f1e5f40, backtrace: 0xfffffec134006f80, tid: 4874\n");
        foreach (var offset in (ulong[])[0x2000, 0x1000, 0x3000])
        {
            var address = Unslid(offset) + cacheSlide;
            // Sign the middle frame the way pointer authentication does: upper bits replaced.
            var printed = offset == 0x3000 ? (address & 0x0000_7fff_ffff_ffff) | 0x1df3_0000_0000_0000 : address;
            text.Append(CultureInfo.InvariantCulture, $"\t\t  lr: 0x{printed:x16}  fp: 0xfffffec134007010\n");
        }

        text.Append("\nlast started kext at 421793067: com.apple.filesystems.autofs\t3.0 (addr 0xfffffe001b0f0000, size 5927)\n");
        return text.ToString();
    }

    /// <summary>Wraps a panic string in the two-document JSON of a <c>.panic</c> file (section 4).</summary>
    public static string Json(string panicString, string key = "panicString", string bugType = "210")
    {
        var escaped = panicString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal);
        return $"{{\"bug_type\":\"{bugType}\",\"timestamp\":\"2023-04-18 14:35:06.00 +0800\",\"os_version\":\"macOS 13.4 (22F5037d)\",\"incident_id\":\"C8D5594E-0E86-456C-B68C-C694CF2D53E8\"}}\n"
            + $"{{\n  \"build\" : \"macOS 13.4 (22F5037d)\",\n  \"product\" : \"Mac13,1\",\n  \"{key}\" : \"{escaped}\",\n  \"panicFlags\" : \"0x0\"\n}}\n";
    }
}
