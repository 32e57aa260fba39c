using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Cores;

/// <summary>What a core gave up: the panic text and kernel version found in it, how much was read, and doubts.</summary>
public sealed record CoreExtraction(PanicContainer Container, string? PanicText, string? KernelVersion, long BytesScanned, IReadOnlyList<string> Warnings);
