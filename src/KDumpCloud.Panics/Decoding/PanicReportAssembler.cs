using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Decoding;

/// <summary>Turns parsed fields into the report: architecture, kext ranges, unslid frames, culprit and warnings.</summary>
internal static class PanicReportAssembler
{
    private static readonly string[] FaultAddressMarkers = [" at pc ", "trap at ", "fault at "];

    public static PanicReport Assemble(ParsedPanicText parsed, JsonPanicFields? json, PanicContainer container, List<string> warnings, string? kernelVersionHint)
    {
        var panic = parsed.PanicLine;
        var message = panic?.Message;
        var kind = MessageClassifier.Classify(message);
        var kernelVersion = parsed.KernelVersion ?? json?.KernelVersion ?? kernelVersionHint;
        var architecture = AddressSpace.Architecture(kernelVersion, parsed.IsPowerPc, panic?.Caller, parsed.Frames);
        var kexts = GroupKexts(parsed.KextEntries);
        var ranges = parsed.KextEntries.Where(k => k.Start is not null && k.End is not null).ToList();
        var slide = architecture == AddressSpace.Arm64 ? parsed.KernelCacheSlide ?? parsed.KernelSlide : parsed.KernelSlide;
        var frames = parsed.Frames.Select(f => Normalise(f, architecture, slide, ranges)).ToList();

        var faultAddress = FaultAddress(message, kind, parsed);
        var location = IsTrapLike(kind) ? faultAddress ?? panic?.Caller : panic?.Caller;
        if (architecture == AddressSpace.Arm64 && location is { } rawLocation)
        {
            location = AddressSpace.StripPointerAuthentication(rawLocation);
        }

        var locationFrame = location is { } at ? frames.FindIndex(f => f.ReturnAddress == at) : -1;
        var (culprit, reason) = CulpritFinder.Find(kind, message, parsed.CoprocessorFirmware, frames, locationFrame, location, kexts);

        AddWarnings(parsed, kernelVersion, architecture, warnings);
        return new PanicReport
        {
            Container = container,
            Format = FormatName(architecture),
            Architecture = architecture,
            PanicMessage = message,
            Kind = kind,
            Cpu = panic?.Cpu,
            CallerAddress = panic?.Caller,
            FaultAddress = faultAddress,
            Culprit = culprit,
            CulpritReason = reason,
            Frames = frames,
            Kexts = kexts,
            KernelVersion = kernelVersion,
            KernelUuid = parsed.KernelUuid,
            OsBuild = parsed.MacOsBuild ?? parsed.OsBuild ?? json?.OsBuild,
            Model = parsed.Model ?? json?.Product,
            ProcessName = parsed.ProcessName,
            PanickedTask = parsed.PanickedTask,
            PanickedThread = parsed.PanickedThread,
            Pid = parsed.Pid,
            KernelSlide = parsed.KernelSlide,
            KernelTextBase = parsed.KernelTextBase,
            KernelCacheSlide = parsed.KernelCacheSlide,
            KernelCacheBase = parsed.KernelCacheBase,
            LastLoadedKext = parsed.LastLoadedKext,
            LastStartedKext = parsed.LastStartedKext,
            UptimeNanoseconds = parsed.Uptime,
            AnonymousUuid = parsed.AnonymousUuid,
            BootArgs = parsed.BootArgs,
            PaniclogVersion = parsed.PaniclogVersion,
            CoprocessorFirmware = parsed.CoprocessorFirmware,
            Warnings = warnings,
        };
    }

    public static bool IsTrapLike(PanicKind kind) =>
        kind.Category is PanicCategory.Trap or PanicCategory.DoubleFault or PanicCategory.DataAbort;

    /// <summary>"Kernel trap at 0x..", "Double fault at 0x..", "at pc 0x.." (arm64), else RIP/EIP/PC from the registers.</summary>
    private static ulong? FaultAddress(string? message, PanicKind kind, ParsedPanicText parsed)
    {
        if (!IsTrapLike(kind) && kind.Category != PanicCategory.MachineCheck)
        {
            return null;
        }

        if (message is not null)
        {
            foreach (var marker in FaultAddressMarkers)
            {
                var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
                if (at >= 0 && Hex.Parse(message.AsSpan(at + marker.Length)) is { } address)
                {
                    return address;
                }
            }
        }

        return parsed.InstructionPointer;
    }

    private static BacktraceFrame Normalise(BacktraceFrame frame, string? architecture, ulong? slide, List<KextEntry> ranges)
    {
        var address = architecture == AddressSpace.Arm64 ? AddressSpace.StripPointerAuthentication(frame.ReturnAddress) : frame.ReturnAddress;
        frame = frame with { ReturnAddress = address };
        foreach (var range in ranges)
        {
            if (address >= range.Start && address <= range.End)
            {
                return frame with { Kext = range.BundleId, KextOffset = address - range.Start!.Value };
            }
        }

        if (frame.Image is { } image && image != "mach_kernel")
        {
            frame = frame with { Kext = image };
        }

        var isKernel = architecture switch
        {
            AddressSpace.X86_64 => address >> 32 == 0xffffff80,
            AddressSpace.Arm64 => AddressSpace.IsArm64Kernel(address),
            _ => false,
        };
        return isKernel && slide is { } s && address >= s ? frame with { UnslidAddress = address - s } : frame;
    }

    private static List<KextInBacktrace> GroupKexts(List<KextEntry> entries)
    {
        // Sets beside the lists: a linear search per entry is quadratic in a hostile list (issue 6 item 9).
        var kexts = new List<KextInBacktrace>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        KextInBacktrace? current = null;
        var dependencies = new List<string>();
        var seenDependencies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!entry.IsDependency)
            {
                Flush();
                if (!seen.Add(entry.BundleId))
                {
                    continue;
                }

                current = new KextInBacktrace(entry.BundleId)
                {
                    Version = entry.Version,
                    Uuid = entry.Uuid,
                    Start = entry.Start,
                    End = entry.End,
                };
            }
            else if (current is not null && seenDependencies.Add(entry.BundleId))
            {
                dependencies.Add(entry.BundleId);
            }
        }

        Flush();
        return kexts;

        void Flush()
        {
            if (current is not null)
            {
                kexts.Add(current with { Dependencies = [.. dependencies] });
            }

            current = null;
            dependencies = [];
            seenDependencies.Clear();
        }
    }

    private static string FormatName(string? architecture) => architecture switch
    {
        AddressSpace.X86_64 => "text-x86_64",
        AddressSpace.Arm64 => "text-arm64",
        AddressSpace.I386 => "text-legacy",
        AddressSpace.PowerPc => "text-ppc",
        _ => "unknown",
    };

    private static void AddWarnings(ParsedPanicText parsed, string? kernelVersion, string? architecture, List<string> warnings)
    {
        if (parsed.PanicLine is null)
        {
            warnings.Add("no panic( line: head of the log missing");
        }

        if (parsed.NextPanicLine is { } next)
        {
            warnings.Add($"another panic starts at line {next + 1}; only the first was decoded");
        }

        if (parsed.PanicLine?.Message.Length >= PanicMessageReader.MaxMessageLength)
        {
            warnings.Add($"panic message cut to {PanicMessageReader.MaxMessageLength} characters");
        }

        if (parsed.IgnoredFrames > 0)
        {
            warnings.Add($"{parsed.IgnoredFrames} frames after the first {PanicTextParser.MaxFrames} ignored");
        }

        if (parsed.IgnoredKextEntries > 0)
        {
            warnings.Add($"{parsed.IgnoredKextEntries} kext entries after the first {PanicTextParser.MaxKextEntries} ignored");
        }

        if (parsed.Frames.Count == 0)
        {
            warnings.Add(parsed.SawBacktraceHeader ? "backtrace header without frames" : "no backtrace");
        }

        if (parsed.Frames.Count > 0 && !parsed.SawKextSection && architecture != AddressSpace.Arm64)
        {
            warnings.Add("no \"Kernel Extensions in backtrace\" section: log cut short or no kext involved");
        }

        if (kernelVersion is null)
        {
            warnings.Add("no kernel version: tail of the log missing");
        }

        if (architecture is null)
        {
            warnings.Add("architecture unknown");
        }
    }
}
