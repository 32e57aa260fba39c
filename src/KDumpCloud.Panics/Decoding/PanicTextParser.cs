using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>Fields read from the text body before addresses are normalised and the culprit chosen.</summary>
internal sealed class ParsedPanicText
{
    public PanicLine? PanicLine { get; set; }
    public List<BacktraceFrame> Frames { get; } = [];
    public List<KextEntry> KextEntries { get; } = [];
    public bool SawBacktraceHeader { get; set; }
    public bool SawKextSection { get; set; }
    public string? KernelVersion { get; set; }
    public string? KernelUuid { get; set; }
    public string? OsBuild { get; set; }
    public string? MacOsBuild { get; set; }
    public string? Model { get; set; }
    public string? ProcessName { get; set; }
    public string? PanickedTask { get; set; }
    public string? PanickedThread { get; set; }
    public int? Pid { get; set; }
    public ulong? KernelSlide { get; set; }
    public ulong? KernelTextBase { get; set; }
    public ulong? KernelCacheSlide { get; set; }
    public ulong? KernelCacheBase { get; set; }
    public string? LastLoadedKext { get; set; }
    public string? LastStartedKext { get; set; }
    public ulong? Uptime { get; set; }
    public string? AnonymousUuid { get; set; }
    public string? BootArgs { get; set; }
    public string? PaniclogVersion { get; set; }
    public string? CoprocessorFirmware { get; set; }
    public ulong? InstructionPointer { get; set; }
    public bool IsPowerPc { get; set; }

    /// <summary>Line index of a second <c>panic(</c> line: several panics pasted together (section 6).</summary>
    public int? NextPanicLine { get; set; }

    /// <summary>Frames and kext entries past <see cref="PanicTextParser.MaxFrames"/> and <see cref="PanicTextParser.MaxKextEntries"/>.</summary>
    public int IgnoredFrames { get; set; }
    public int IgnoredKextEntries { get; set; }
}

/// <summary>
/// Reads the labelled lines of every text grammar (panic-formats.md sections 1-3) from cleaned, trimmed lines.
/// Labels are matched by prefix so that a line cut short still yields what it has; nothing here throws.
/// </summary>
internal static class PanicTextParser
{
    /// <summary>
    /// Real backtraces have tens of frames and tens of kext entries. Every frame is looked up in every kext range, so a
    /// hostile log listing hundreds of thousands of each would cost their product (issue 6 item 9); past these the
    /// rest is counted and reported, not kept.
    /// </summary>
    internal const int MaxFrames = 512;
    internal const int MaxKextEntries = 512;

    private enum Section { None, Backtrace, Kexts, LoadedKexts }

    public static ParsedPanicText Parse(List<string> lines)
    {
        var parsed = new ParsedPanicText { PanicLine = PanicMessageReader.Find(lines) };
        var section = Section.None;
        var start = parsed.PanicLine is { } panic ? panic.LastLineIndex + 1 : 0;
        ReadHeader(lines, parsed.PanicLine?.LineIndex ?? 0, parsed);
        for (var i = start; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                if (section == Section.Kexts)
                {
                    section = Section.None;
                }

                continue;
            }

            if (parsed.PanicLine is not null && line.Contains("anic(cpu ", StringComparison.Ordinal))
            {
                // Another panic starts here; its frames and kexts must not be mixed into the first one.
                parsed.NextPanicLine = i;
                break;
            }

            if (BacktraceReader.IsFrameLine(line))
            {
                if (section != Section.LoadedKexts && BacktraceReader.ParseFrame(line) is { } frame)
                {
                    AddFrame(parsed, frame);
                }

                continue;
            }

            if (section == Section.Kexts && BacktraceReader.ParseKext(line) is { } kext)
            {
                if (parsed.KextEntries.Count < MaxKextEntries)
                {
                    parsed.KextEntries.Add(kext);
                }
                else
                {
                    parsed.IgnoredKextEntries++;
                }

                continue;
            }

            if (section == Section.LoadedKexts)
            {
                continue;
            }

            section = ReadLabel(lines, i, line, parsed) ?? (section == Section.Kexts ? Section.None : section);
        }

        return parsed;
    }

    private static void AddFrame(ParsedPanicText parsed, BacktraceFrame frame)
    {
        if (parsed.Frames.Count < MaxFrames)
        {
            parsed.Frames.Add(frame);
        }
        else
        {
            parsed.IgnoredFrames++;
        }
    }

    /// <summary>The report header above the panic line (2.1): the Anonymous UUID, a per-machine identifier.</summary>
    private static void ReadHeader(List<string> lines, int panicLine, ParsedPanicText parsed)
    {
        for (var i = 0; i < Math.Min(panicLine, lines.Count); i++)
        {
            if (Value(lines[i], "Anonymous UUID:") is { } uuid)
            {
                parsed.AnonymousUuid = uuid;
            }
        }
    }

    private static Section? ReadLabel(List<string> lines, int index, string line, ParsedPanicText parsed)
    {
        switch (line[0])
        {
            case 'B':
                if (line.StartsWith("Backtrace:", StringComparison.Ordinal))
                {
                    parsed.SawBacktraceHeader = true;
                    parsed.IsPowerPc = true;
                    foreach (var frame in BacktraceReader.ParseOneLineBacktrace(line))
                    {
                        AddFrame(parsed, frame);
                    }

                    return Section.None;
                }

                if (line.StartsWith("Backtrace", StringComparison.Ordinal) && !line.StartsWith("Backtracing", StringComparison.Ordinal))
                {
                    parsed.SawBacktraceHeader = true;
                    return Section.Backtrace;
                }

                if (Value(line, "BSD process name corresponding to current thread:") is { } bsdName)
                {
                    parsed.ProcessName ??= bsdName;
                }
                else if (Value(line, "Boot args:") is { } bootArgs)
                {
                    parsed.BootArgs = bootArgs;
                }

                break;
            case 'K':
                if (line.StartsWith("Kernel Extensions in backtrace", StringComparison.Ordinal)
                    || line.StartsWith("Kernel loadable modules in backtrace", StringComparison.Ordinal))
                {
                    parsed.SawKextSection = true;
                    return Section.Kexts;
                }

                if (line.StartsWith("Kernel version:", StringComparison.OrdinalIgnoreCase))
                {
                    parsed.KernelVersion ??= Value(line, line[..15]) ?? NextNonBlank(lines, index);
                }
                else if (Value(line, "Kernel UUID:") is { } kernelUuid)
                {
                    parsed.KernelUuid = kernelUuid;
                }
                else if (Value(line, "Kernel slide:") is { } slide)
                {
                    parsed.KernelSlide = Hex.Parse(slide);
                }
                else if (Value(line, "Kernel text base:") is { } textBase)
                {
                    parsed.KernelTextBase = Hex.Parse(textBase);
                }
                else if (Value(line, "KernelCache slide:") is { } cacheSlide)
                {
                    parsed.KernelCacheSlide = Hex.Parse(cacheSlide);
                }
                else if (Value(line, "KernelCache base:") is { } cacheBase)
                {
                    parsed.KernelCacheBase = Hex.Parse(cacheBase);
                }

                break;
            case 'M':
                if (line.StartsWith("Mac OS version:", StringComparison.Ordinal))
                {
                    parsed.MacOsBuild ??= Value(line, "Mac OS version:") ?? NextNonBlank(lines, index);
                }
                else if (Value(line, "Model:") is { } profilerModel)
                {
                    // "Model: MacBookPro11,3, BootROM …": the identifier has a comma of its own; fields are split by ", ".
                    var end = profilerModel.IndexOf(", ", StringComparison.Ordinal);
                    parsed.Model ??= end < 0 ? profilerModel : profilerModel[..end];
                }

                break;
            case 'O':
                if (Value(line, "OS version:") is { } osVersion)
                {
                    parsed.OsBuild ??= osVersion;
                }

                break;
            case 'P':
                ReadPanickedTaskOrThread(line, parsed);
                if (line.StartsWith("Process name corresponding to current thread", StringComparison.Ordinal))
                {
                    var colon = line.LastIndexOf("):", StringComparison.Ordinal);
                    var name = colon >= 0 ? line[(colon + 2)..].Trim() : null;
                    parsed.ProcessName ??= string.IsNullOrEmpty(name) ? null : name;
                }
                else if (Value(line, "Paniclog version:") is { } paniclogVersion)
                {
                    parsed.PaniclogVersion = paniclogVersion;
                }

                break;
            case 'R':
                if (line.StartsWith("RIP:", StringComparison.Ordinal) || line.StartsWith("RFL:", StringComparison.Ordinal))
                {
                    parsed.InstructionPointer ??= Register(line, "RIP:");
                }
                else if (line.StartsWith("RTKit:", StringComparison.Ordinal))
                {
                    var client = line.IndexOf("Client:", StringComparison.Ordinal);
                    parsed.CoprocessorFirmware ??= client >= 0 ? line[(client + 7)..].Trim() : line[6..].Trim();
                }

                break;
            case 'E':
                parsed.InstructionPointer ??= Register(line, "EIP:");
                break;
            case 'S':
                if (Value(line, "System model name:") is { } model)
                {
                    parsed.Model = model;
                }
                else if (Value(line, "System uptime in nanoseconds:") is { } uptime && Hex.TryParseLeadingDecimal(uptime, out var ns))
                {
                    parsed.Uptime = ns;
                }

                break;
            case 'l':
                if (line.StartsWith("loaded kexts:", StringComparison.Ordinal))
                {
                    return Section.LoadedKexts;
                }

                if (line.StartsWith("last loaded kext at", StringComparison.Ordinal))
                {
                    parsed.LastLoadedKext = KextAfterColon(line);
                }
                else if (line.StartsWith("last started kext at", StringComparison.Ordinal))
                {
                    parsed.LastStartedKext = KextAfterColon(line);
                }

                break;
            case 'm':
                if (Value(line, "macOS version:") is { } macOsVersion)
                {
                    parsed.MacOsBuild = macOsVersion;
                }

                break;
            case 'A':
                if (Value(line, "Anonymous UUID:") is { } anonymous)
                {
                    parsed.AnonymousUuid ??= anonymous;
                }

                break;
            case 'D':
                if (line.StartsWith("Darwin Kernel Version", StringComparison.Ordinal))
                {
                    parsed.KernelVersion ??= line;
                }

                break;
        }

        if (line.Contains("PC=0x", StringComparison.Ordinal) && line.Contains("MSR=", StringComparison.Ordinal))
        {
            parsed.IsPowerPc = true;
            var pc = line.IndexOf("PC=", StringComparison.Ordinal);
            parsed.InstructionPointer ??= Hex.Parse(line.AsSpan(pc + 3));
        }

        return null;
    }

    private static void ReadPanickedTaskOrThread(string line, ParsedPanicText parsed)
    {
        // "Panicked task 0x..: [N pages, ]N threads: pid N: name" (2.3, 3)
        if (line.StartsWith("Panicked task", StringComparison.Ordinal))
        {
            var taskEnd = line.IndexOf(':', StringComparison.Ordinal);
            parsed.PanickedTask = taskEnd > 14 ? line[14..taskEnd].Trim() : null;
            var pidAt = line.IndexOf("pid ", StringComparison.Ordinal);
            if (pidAt >= 0 && Hex.TryParseLeadingDecimal(line.AsSpan(pidAt + 4), out var pid) && pid <= int.MaxValue)
            {
                parsed.Pid = (int)pid;
                var nameAt = line.IndexOf(':', pidAt);
                if (nameAt >= 0 && line[(nameAt + 1)..].Trim() is { Length: > 0 } name)
                {
                    parsed.ProcessName = name;
                }
            }
        }
        else if (line.StartsWith("Panicked thread:", StringComparison.Ordinal))
        {
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            parsed.PanickedThread = (comma > 0 ? line[16..comma] : line[16..]).Trim();
        }
    }

    private static string? KextAfterColon(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var text = line[(colon + 1)..].Trim();
        var addr = text.IndexOf(" (addr", StringComparison.Ordinal);
        if (addr >= 0)
        {
            text = text[..addr];
        }

        var parts = text.Split(['\t', ' '], 2, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => null,
            1 => KextNames.Expand(parts[0]),
            _ => KextNames.Expand(parts[0]) + " " + parts[1].Trim(),
        };
    }

    private static ulong? Register(string line, string name)
    {
        var at = line.IndexOf(name, StringComparison.Ordinal);
        return at >= 0 ? Hex.Parse(line.AsSpan(at + name.Length)) : null;
    }

    private static string? Value(string line, string label)
    {
        if (!line.StartsWith(label, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var value = line[label.Length..].Trim();
        return value.Length == 0 || value.Equals("Not yet set", StringComparison.OrdinalIgnoreCase) ? null : value;
    }

    private static string? NextNonBlank(List<string> lines, int index)
    {
        for (var i = index + 1; i < lines.Count && i <= index + 3; i++)
        {
            if (lines[i].Length > 0)
            {
                return lines[i].Equals("Not yet set", StringComparison.OrdinalIgnoreCase) || lines[i].EndsWith(':') ? null : lines[i];
            }
        }

        return null;
    }
}
