using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using KDumpCloud.Panics.Cores;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Cores;

/// <summary>Issue 6 item 10: what a core's headers claim must not decide how much memory reading it takes.</summary>
public class CoreBudgetTests
{
    /// <summary>A read buffer, the panic-text capture and a few note captures, with room to spare; nothing per note.</summary>
    private const long MemoryBudget = 1024 * 1024;

    private static readonly string PanicText = SyntheticPanics.FromPanicLine(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000));

    [Theory]
    [InlineData("paniclog")]
    [InlineData("panic{0}")]
    [InlineData("kern ver str")]
    public void Extract_ThousandsOfNotes_StaysWithinAFixedMemoryBudget(string owner)
    {
        // 6,000 LC_NOTEs that each claim 128 KiB of payload inside the file: 240 KB of headers (issue: 890 MB).
        var core = CoreWithNotes(owner, notes: 6000, noteSize: 128 * 1024);
        CoreReader.Extract(new MemoryStream(CoreWithNotes(owner, notes: 10, noteSize: 16))); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var extraction = CoreReader.Extract(new MemoryStream(core));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < MemoryBudget, $"reading a core with 6,000 notes allocated {allocated:N0} bytes");
        Assert.Contains(extraction.Warnings, w => w.Contains("LC_NOTE", StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_PanicNote_StillGivesThePanicText()
    {
        var core = CoreWithNotes("paniclog", notes: 1, noteSize: 64 * 1024);

        var extraction = CoreReader.Extract(new MemoryStream(core));

        Assert.StartsWith("panic(cpu 0 caller", extraction.PanicText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_NoteOffsetNoFileReaches_IsIgnored()
    {
        var core = CoreWithNotes("paniclog", notes: 1, noteSize: 64 * 1024);
        BinaryPrimitives.WriteUInt64LittleEndian(core.AsSpan(32 + 24), ulong.MaxValue - 100);

        var extraction = CoreReader.Extract(new MemoryStream(core));

        // Found by its marker in the bytes instead; an offset that wrapped round would have captured the header.
        Assert.StartsWith("panic(cpu 0 caller", extraction.PanicText, StringComparison.Ordinal);
    }

    /// <summary>MH_CORE with <paramref name="notes"/> LC_NOTEs (owner: a format taking the note's index), all pointing at the panic text after the headers.</summary>
    private static byte[] CoreWithNotes(string owner, int notes, int noteSize)
    {
        const int headerSize = 32, noteCommandSize = 40;
        var payloadAt = headerSize + notes * noteCommandSize;
        var core = new byte[payloadAt + Math.Max(noteSize, 64 * 1024)];
        BinaryPrimitives.WriteUInt32LittleEndian(core, 0xfeedfacf);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(4), 0x01000007);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(12), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(16), (uint)notes);
        BinaryPrimitives.WriteUInt32LittleEndian(core.AsSpan(20), (uint)(notes * noteCommandSize));
        for (var i = 0; i < notes; i++)
        {
            var note = core.AsSpan(headerSize + i * noteCommandSize, noteCommandSize);
            BinaryPrimitives.WriteUInt32LittleEndian(note, 0x31);
            BinaryPrimitives.WriteUInt32LittleEndian(note[4..], noteCommandSize);
            Encoding.ASCII.GetBytes(string.Format(CultureInfo.InvariantCulture, owner, i), note[8..]);
            BinaryPrimitives.WriteUInt64LittleEndian(note[24..], (ulong)payloadAt);
            BinaryPrimitives.WriteUInt64LittleEndian(note[32..], (ulong)noteSize);
        }

        Encoding.ASCII.GetBytes(PanicText + "\0", core.AsSpan(payloadAt));
        return core;
    }
}
