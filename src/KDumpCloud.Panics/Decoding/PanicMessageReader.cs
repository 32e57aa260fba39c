namespace KDumpCloud.Panics.Decoding;

/// <summary>The panic line: CPU, caller and the message, which may span several physical lines.</summary>
internal sealed record PanicLine(int LineIndex, int? Cpu, ulong? Caller, string Message, int LastLineIndex);

/// <summary>
/// Finds the <c>panic(cpu N caller 0x...): message</c> line (panic-formats.md 2.2, 1.1, 1.3) even with junk glued in
/// front (<c>;;qpanic(</c>, section 6), and gathers the message across hard wraps and string-internal line breaks.
/// </summary>
internal static class PanicMessageReader
{
    // Lines that start the next part of the log, so they never belong to a wrapped message.
    private static readonly string[] StructuralPrefixes =
    [
        "Backtrace", "Debugger message:", "Memory ID:", "OS release type:", "OS version:", "Failure code", "Panicked task",
        "Panicked thread", "Kernel Extensions in backtrace", "Kernel loadable modules", "BSD process name", "Process name corresponding",
        "Mac OS version:", "Kernel version:", "Kernel Version:", "RTKit:", "CR0:", "EAX:", "RAX:", "Latest crash info", "lr:",
        "Epoch Time", "Kernel slide:", "System model name:", "Boot args:", "Zone info", "Compressor Info", "Faulting task",
        "service:", "Attempting to forcibly halt", "CORE ", "Panic diags", "Error code:", "Fault CR2:", "Machine-check",
        "Interval Since Last Panic", "Anonymous UUID:", "*** Panic Report", "Model:", "loaded kexts:", "Exception state",
        "Debugger called:", "Unable to obtain state", "Debugger synchronization", "last loaded kext", "last started kext",
        "last unloaded kext", "Kernel UUID:", "KernelCache", "Fileset Kernelcache", "System uptime", "Mac OS version",
    ];

    private const int MaxContinuationLines = 12;

    /// <summary>
    /// Real messages are a line or a register dump; a longer one is cut so that classifying, templating and printing
    /// it never copy megabytes (issue 6: memory per decode).
    /// </summary>
    internal const int MaxMessageLength = 16 * 1024;

    public static PanicLine? Find(List<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var at = IndexOfPanicStart(line);
            if (at < 0)
            {
                continue;
            }

            return Read(lines, i, line.AsSpan(at));
        }

        return null;
    }

    private static int IndexOfPanicStart(string line)
    {
        var at = line.IndexOf("anic(cpu ", StringComparison.OrdinalIgnoreCase);
        if (at >= 1 && (line[at - 1] is 'p' or 'P'))
        {
            return at - 1;
        }

        // PowerPC: "Unresolved kernel trap(cpu 0): 0x300 - Data access ..." (1.3).
        return line.IndexOf("Unresolved kernel trap(cpu", StringComparison.Ordinal);
    }

    private static PanicLine Read(List<string> lines, int index, ReadOnlySpan<char> line)
    {
        var open = line.IndexOf('(');
        var close = line.IndexOf(')');
        int? cpu = null;
        ulong? caller = null;
        var message = ReadOnlySpan<char>.Empty;
        if (open >= 0 && close > open)
        {
            var inside = line[(open + 1)..close];
            cpu = ReadCpu(inside);
            var callerAt = inside.IndexOf("caller", StringComparison.OrdinalIgnoreCase);
            if (callerAt >= 0)
            {
                caller = Hex.Parse(inside[(callerAt + 6)..]);
            }

            message = line[(close + 1)..].TrimStart(':').Trim();
            if (line.StartsWith("Unresolved kernel trap(", StringComparison.Ordinal))
            {
                message = line.Trim();
            }
        }
        else
        {
            message = line;
        }

        var builder = new List<string> { message.ToString() };
        var quote = QuoteState.Initial.After(message);
        var last = index;
        for (var next = index + 1; next < lines.Count && next - index <= MaxContinuationLines; next++)
        {
            var candidate = lines[next];
            var insideQuote = quote.Open;
            if (!insideQuote && (candidate.Length == 0 || IsStructural(candidate)))
            {
                break;
            }

            // Inside an open string only a real section start ends the message; register lines can be quoted
            // text of a "Machine Check ... registers:\n" "CR0: ..." panic (2.2 shape 2).
            if (insideQuote && IsStructural(candidate) && !candidate.StartsWith("CR0:", StringComparison.Ordinal))
            {
                break;
            }

            if (!insideQuote && builder.Count == 1 && builder[0].Length == 0 && !candidate.StartsWith('"'))
            {
                break; // an empty message followed by something unrecognised: keep it empty.
            }

            builder.Add(candidate);
            quote = quote.After("\n").After(candidate);
            last = next;
        }

        var text = string.Join('\n', builder).AsSpan().Trim();
        return new PanicLine(index, cpu, caller, text[..Math.Min(text.Length, MaxMessageLength)].ToString(), last);
    }

    private static int? ReadCpu(ReadOnlySpan<char> inside)
    {
        var cpuAt = inside.IndexOf("cpu", StringComparison.OrdinalIgnoreCase);
        return cpuAt >= 0 && Hex.TryParseLeadingDecimal(inside[(cpuAt + 3)..], out var cpu) && cpu < 4096 ? (int)cpu : null;
    }

    /// <summary>
    /// Whether the lines so far leave a double quote open (an unescaped <c>"</c> unmatched), carried line by line so that
    /// each line is read once: re-reading the joined message per line cost up to 13 copies of a hostile message.
    /// </summary>
    private readonly record struct QuoteState(bool Open, bool Escaped)
    {
        public static QuoteState Initial => default;

        public QuoteState After(ReadOnlySpan<char> text)
        {
            var (open, escaped) = (Open, Escaped);
            foreach (var c in text)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    open = !open;
                }
            }

            return new QuoteState(open, escaped);
        }
    }

    public static bool IsStructural(string line)
    {
        foreach (var prefix in StructuralPrefixes)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return BacktraceReader.IsFrameLine(line);
    }
}
