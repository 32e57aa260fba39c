namespace KDumpCloud.Kdump.Clients;

/// <summary>
/// The pre-10.11 Mach-O core pattern of kdump-protocol.md §7, applied to arbitrary content so that the stored file
/// equals the content: SEEK(0), DATA(mach header), SEEK(round_page(header)), then per region SEEK(hoffset),
/// DATA(segment command), SEEK(foffset), DATA(region), and finally SEEK(hoffset), DATA(thread state).
/// </summary>
/// <remarks>
/// The content is cut into a header area [0, H) and regions [H, L). The header area holds the mach header, one
/// "segment command" piece per region and a "thread state" piece at its end, so the file has no padding hole.
/// Kernels with a 7-byte corehdr (xnu ≤ 1504) send one extra byte after every DATA payload, and kdumpd stores it
/// whenever the packet is short (§8.3). The layout puts every short packet's extra byte on a position that a later
/// DATA overwrites: each header piece is followed by a piece written later, the thread state (written last) is one
/// full packet, and regions are whole packets (H absorbs the remainder). A real kernel's regions are whole pages,
/// which 512 divides, so it only ever leaves that byte in the header's page padding.
/// </remarks>
internal static class MachOCoreLayout
{
    private const int PageSize = 4096;

    /// <summary>Enough regions to exercise the interleaving without making a header of thousands of SEEKs.</summary>
    private const int MaxRegions = 16;

    public static void Append(List<DumpOperation> operations, long length, int maxPayload, KernelProfile profile)
    {
        if (length == 0)
        {
            return;
        }

        var extra = profile.CoreHeaderExtraBytes;
        var machHeaderSize = profile.Is64Bit ? 32 : 28; // sizeof(mach_header_64) / sizeof(mach_header)
        long regionUnit = extra > 0 ? maxPayload : PageSize;
        long threadStateSize = extra > 0 ? maxPayload : (profile.Is64Bit ? 176 : 80); // x86_THREAD_STATE64 / 32, with flavor and count

        var headerArea = length < PageSize + regionUnit
            ? length
            : PageSize + (extra > 0 ? (length - PageSize) % regionUnit : 0);
        var regionUnits = (length - headerArea + regionUnit - 1) / regionUnit;
        var unitsPerRegion = regionUnits == 0 ? 0 : (regionUnits + MaxRegions - 1) / MaxRegions;
        var regions = unitsPerRegion == 0 ? 0 : (int)((regionUnits + unitsPerRegion - 1) / unitsPerRegion);

        long threadState;
        long machHeader;
        if (regions == 0)
        {
            // Header only. With the 7-byte corehdr a full last packet matters more than a realistic mach header.
            threadState = extra > 0 ? Math.Min(threadStateSize, headerArea) : Math.Min(threadStateSize, Math.Max(0, headerArea - machHeaderSize));
            machHeader = headerArea - threadState;
        }
        else
        {
            threadState = threadStateSize;
            machHeader = machHeaderSize;
        }

        var threadStateAt = headerArea - threadState;
        var commandsLength = threadStateAt - machHeader;

        operations.Add(DumpOperation.Seek(0, extra));
        AppendData(operations, 0, machHeader, maxPayload, extra);
        operations.Add(DumpOperation.Seek(headerArea, extra));
        for (var i = 0; i < regions; i++)
        {
            var commandAt = machHeader + (commandsLength * i / regions);
            var commandEnd = machHeader + (commandsLength * (i + 1) / regions);
            var regionAt = headerArea + (i * unitsPerRegion * regionUnit);
            var regionEnd = Math.Min(length, regionAt + (unitsPerRegion * regionUnit));
            operations.Add(DumpOperation.Seek(commandAt, extra));
            AppendData(operations, commandAt, commandEnd - commandAt, maxPayload, extra);
            operations.Add(DumpOperation.Seek(regionAt, extra));
            AppendData(operations, regionAt, regionEnd - regionAt, maxPayload, extra);
        }

        if (threadState > 0)
        {
            operations.Add(DumpOperation.Seek(threadStateAt, extra));
            AppendData(operations, threadStateAt, threadState, maxPayload, extra);
        }
    }

    private static void AppendData(List<DumpOperation> operations, long at, long length, int maxPayload, int extra)
    {
        for (var end = at + length; at < end; at += maxPayload)
        {
            operations.Add(DumpOperation.Data(at, (int)Math.Min(maxPayload, end - at), extra));
        }
    }
}
