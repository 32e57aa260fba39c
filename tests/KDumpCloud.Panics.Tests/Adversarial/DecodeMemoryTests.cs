using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;

namespace KDumpCloud.Panics.Tests.Adversarial;

/// <summary>
/// Memory per decode (issue 6 benchmarks: under 64 MB for any single input): hostile text may cost a small multiple
/// of its size, not a copy per line or per use of the message. Counted as bytes allocated, which is deterministic.
/// </summary>
public class DecodeMemoryTests
{
    private const int InputBytes = 1 << 20;
    private const string Panic = "panic(cpu 0 caller 0xffffff8000200000): ";

    public static TheoryData<string> Cases() => ["many short lines", "one huge line", "huge message over wrapped lines"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_HostileText_AllocatesAFewTimesItsSize(string name)
    {
        var input = Encoding.UTF8.GetBytes(name switch
        {
            "many short lines" => Panic + "x\n" + string.Concat(Enumerable.Repeat("x\n", InputBytes / 2)),
            "one huge line" => Panic + new string('x', InputBytes),
            _ => Panic + "\"" + string.Concat(Enumerable.Repeat(new string('y', InputBytes / 12) + "\n", 12)),
        });
        DecodeAndFormat(Encoding.UTF8.GetBytes(Panic + "x")); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        DecodeAndFormat(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The text as UTF-16 is twice the input and the lines as much again; 8x leaves room, not a copy per line or use.
        Assert.True(allocated < 8L * input.Length, $"{input.Length:N0} bytes of input allocated {allocated:N0} bytes");
    }

    private static void DecodeAndFormat(byte[] input)
    {
        var report = PanicDecoder.Decode(input);
        var fingerprint = Fingerprinter.Compute(report);
        _ = PanicJsonLines.Format("memory", report, fingerprint);
        _ = PanicSummary.Format("memory", report, fingerprint);
    }
}
