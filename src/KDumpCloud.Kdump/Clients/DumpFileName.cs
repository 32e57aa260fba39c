using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KDumpCloud.Kdump.Clients;

/// <summary>The name a kernel gives its dump (kdump-protocol.md §14): <c>&lt;prefix&gt;-&lt;version&gt;-&lt;a.b.c.d&gt;-&lt;hex&gt;[.gz]</c>.</summary>
public static class DumpFileName
{
    /// <summary>The version part is copied into a 20-byte buffer, NUL included.</summary>
    public const int MaxVersionLength = 19;

    /// <summary>
    /// Formats a dump name. <paramref name="kernelVersionString"/> is the kernel's version string (or just
    /// <c>xnu-…</c>); <paramref name="clientAddress"/> is the Mac's own IPv4 address; <paramref name="absoluteTime"/>
    /// is mach_absolute_time(), of which the low 32 bits are printed. <paramref name="gzip"/> adds <c>.gz</c> to cores.
    /// </summary>
    public static string Format(DumpKind kind, string kernelVersionString, IPAddress clientAddress, ulong absoluteTime, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(clientAddress);
        if (clientAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("The kernel dumps over IPv4 only (§1).", nameof(clientAddress));
        }

        var prefix = kind switch
        {
            DumpKind.PanicLog => "paniclog",
            DumpKind.SystemLog => "systemlog",
            _ => "core",
        };
        var suffix = kind == DumpKind.Core && gzip ? ".gz" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{prefix}-{VersionPart(kernelVersionString)}-{clientAddress}-{(uint)absoluteTime:x}{suffix}");
    }

    /// <summary><c>xnu-</c> and the digits and dots after it, at most 19 characters; <c>custom</c> without <c>xnu-</c>.</summary>
    public static string VersionPart(string kernelVersionString)
    {
        ArgumentNullException.ThrowIfNull(kernelVersionString);
        var start = kernelVersionString.IndexOf("xnu-", StringComparison.Ordinal);
        if (start < 0)
        {
            return "custom";
        }

        var end = start + 4;
        while (end < kernelVersionString.Length && (char.IsAsciiDigit(kernelVersionString[end]) || kernelVersionString[end] == '.'))
        {
            end++;
        }

        return kernelVersionString[start..Math.Min(end, start + MaxVersionLength)];
    }
}
