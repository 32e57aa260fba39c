using System.Diagnostics.CodeAnalysis;
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

        var suffix = kind == DumpKind.Core && gzip ? ".gz" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix(kind)}-{VersionPart(kernelVersionString)}-{clientAddress}-{(uint)absoluteTime:x}{suffix}");
    }

    /// <summary>The name's first part for a kind: <c>core</c>, <c>paniclog</c> or <c>systemlog</c>.</summary>
    public static string Prefix(DumpKind kind) => kind switch
    {
        DumpKind.PanicLog => "paniclog",
        DumpKind.SystemLog => "systemlog",
        _ => "core",
    };

    /// <summary>
    /// Reads a name the kernel made with the pattern above back into its parts, in one pass. False for anything else:
    /// a <c>_panicd_corename</c> or dumpinfo name (sent verbatim, §14), a name from another tool, or a damaged one.
    /// The name comes from the network, so nothing here throws.
    /// </summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out DumpFileNameParts? parts)
    {
        parts = Parse(name);
        return parts is not null;
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

    /// <summary>The longest name the pattern allows is 54 characters (<c>systemlog-</c>, a 19-character version, a
    /// dotted quad of 15, 8 hex digits); anything much longer is not one, however it continues.</summary>
    private const int MaxParsedNameLength = 64;

    private static DumpFileNameParts? Parse(string? name)
    {
        if (name is null || name.Length > MaxParsedNameLength)
        {
            return null;
        }

        var rest = name.AsSpan();
        DumpKind kind;
        if (TrySkip(ref rest, "core-"))
        {
            kind = DumpKind.Core;
        }
        else if (TrySkip(ref rest, "paniclog-"))
        {
            kind = DumpKind.PanicLog;
        }
        else if (TrySkip(ref rest, "systemlog-"))
        {
            kind = DumpKind.SystemLog;
        }
        else
        {
            return null;
        }

        string? kernelVersion = null;
        if (!TrySkip(ref rest, "custom-") && !TryReadVersion(ref rest, out kernelVersion))
        {
            return null;
        }

        if (!TryReadIPv4(ref rest, out var address) || !TrySkip(ref rest, "-") || !TryReadHex32(ref rest))
        {
            return null;
        }

        var gzip = kind == DumpKind.Core && TrySkip(ref rest, ".gz");
        return rest.IsEmpty ? new DumpFileNameParts(kind, kernelVersion, address, gzip) : null;
    }

    private static bool TrySkip(ref ReadOnlySpan<char> rest, string expected)
    {
        if (!rest.StartsWith(expected, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[expected.Length..];
        return true;
    }

    /// <summary><c>xnu-</c>, then at least one digit and only digits and dots, at most <see cref="MaxVersionLength"/>
    /// characters in all, then the <c>-</c> before the address.</summary>
    private static bool TryReadVersion(ref ReadOnlySpan<char> rest, [NotNullWhen(true)] out string? version)
    {
        version = null;
        if (!rest.StartsWith("xnu-", StringComparison.Ordinal))
        {
            return false;
        }

        var end = 4;
        var digits = 0;
        while (end < rest.Length && end < MaxVersionLength && (char.IsAsciiDigit(rest[end]) || rest[end] == '.'))
        {
            digits += char.IsAsciiDigit(rest[end]) ? 1 : 0;
            end++;
        }

        if (digits == 0 || end >= rest.Length || rest[end] != '-')
        {
            return false;
        }

        version = rest[..end].ToString();
        rest = rest[(end + 1)..];
        return true;
    }

    /// <summary>Four decimal numbers 0-255 as the kernel prints them (<c>%d</c>: no leading zeros), dot-separated.</summary>
    private static bool TryReadIPv4(ref ReadOnlySpan<char> rest, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        Span<byte> octets = stackalloc byte[4];
        for (var i = 0; i < octets.Length; i++)
        {
            if (i > 0 && !TrySkip(ref rest, "."))
            {
                return false;
            }

            var length = 0;
            var value = 0;
            while (length < rest.Length && length < 3 && char.IsAsciiDigit(rest[length]))
            {
                value = (value * 10) + (rest[length] - '0');
                length++;
            }

            if (length == 0 || value > byte.MaxValue || (length > 1 && rest[0] == '0'))
            {
                return false;
            }

            octets[i] = (byte)value;
            rest = rest[length..];
        }

        address = new IPAddress(octets);
        return true;
    }

    /// <summary>One to eight lower-case hex digits (<c>%x</c> of 32 bits).</summary>
    private static bool TryReadHex32(ref ReadOnlySpan<char> rest)
    {
        var length = 0;
        while (length < rest.Length && length < 8 && (char.IsAsciiDigit(rest[length]) || rest[length] is >= 'a' and <= 'f'))
        {
            length++;
        }

        rest = rest[length..];
        return length > 0;
    }
}
