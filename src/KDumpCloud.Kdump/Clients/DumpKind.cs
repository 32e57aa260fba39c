namespace KDumpCloud.Kdump.Clients;

/// <summary>What a dump carries, which is also the file-name prefix (kdump-protocol.md §14).</summary>
public enum DumpKind
{
    /// <summary><c>core-…</c>: a Mach-O core written with SEEKs (≤ 10.10) or a gzip stream (10.11+), §8.4.</summary>
    Core,

    /// <summary><c>paniclog-…</c>: the panic text (debug bit 0x2000); every DATA carries the name extras, §8.3.</summary>
    PanicLog,

    /// <summary><c>systemlog-…</c>: the kernel message buffer in two parts with a SEEK between them (§7, §8.3).</summary>
    SystemLog,
}
