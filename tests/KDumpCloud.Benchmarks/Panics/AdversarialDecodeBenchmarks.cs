using System.Text;
using BenchmarkDotNet.Attributes;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;

namespace KDumpCloud.Benchmarks.Panics;

/// <summary>
/// Decode + fingerprint of hostile text at 1, 4 and 16 MB (issue 6: linear time; report MB/s). Each input is built to
/// make one formerly super-linear step do the most work: the two patterns the issue found (a repeated phrase), the
/// source-tag search, the status-dump pattern, a kext line's space run, and a list of distinct kexts. The text decoder
/// is called directly, so the whole input is decoded (files are read only to <see cref="PanicDecoderOptions.MaxTextBytes"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class AdversarialDecodeBenchmarks
{
    private const string Panic = "panic(cpu 0 caller 0xffffff8000200000): ";
    private byte[] _input = [];

    [Params("assertion failed", "userspace watchdog", "source tag", "status dump", "kext space run", "kext lines")]
    public string Input { get; set; } = "";

    [Params(1, 4, 16)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var size = Megabytes * 1_000_000;
        _input = Encoding.UTF8.GetBytes(Input switch
        {
            "assertion failed" => Panic + Repeat("assertion failed: ", size),
            "userspace watchdog" => Panic + Repeat("userspace watchdog timeout: ", size),
            "source tag" => Panic + Repeat("@x:1 ", size),
            "status dump" => Panic + "a b = " + Repeat("a[-", size),
            "kext space run" => Panic + "x\nKernel Extensions in backtrace:\ncom.a(1.0)@0x1" + new string(' ', size) + "Z\n",
            _ => Panic + "x\nKernel Extensions in backtrace:\n" + KextLines(size),
        });
    }

    [Benchmark(Description = "decode + fingerprint hostile text")]
    public string Decode() => Fingerprinter.Compute(PanicDecoder.Decode(_input)).Hash;

    private static string Repeat(string phrase, int length)
    {
        var text = new StringBuilder(length + phrase.Length);
        while (text.Length < length)
        {
            text.Append(phrase);
        }

        return text.ToString();
    }

    private static string KextLines(int length)
    {
        var text = new StringBuilder(length + 64);
        for (var i = 0; text.Length < length; i++)
        {
            text.Append("com.a").Append(i).Append("(1.0)[0]@0x").Append(i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("->0xffff\n");
        }

        return text.ToString();
    }
}
