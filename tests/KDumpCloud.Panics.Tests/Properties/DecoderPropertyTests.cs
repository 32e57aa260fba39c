using System.Text;
using FsCheck;
using FsCheck.Xunit;
using KDumpCloud.Panics.Cores;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;
using KDumpCloud.Panics.Tests.Support;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Properties;

/// <summary>
/// The decoder takes untrusted input: random bytes and random damage to real logs must give a report, never an
/// exception; and the fingerprint of a real log must not move when only whitespace or line wrapping changes.
/// </summary>
public class DecoderPropertyTests
{
    private static readonly Lazy<string[]> TextLogs = new(() => Corpus.Root is null
        ? []
        : [.. Corpus.PanicFiles().Where(f => f.EndsWith(".txt", StringComparison.Ordinal)).Select(File.ReadAllText)]);

    private static readonly Lazy<byte[][]> AllLogs = new(() => Corpus.Root is null
        ? []
        : [.. Corpus.PanicFiles().Select(File.ReadAllBytes)]);

    [Property(MaxTest = 500)]
    public void Decode_RandomBytes_NeverThrows(byte[] bytes)
    {
        var report = PanicDecoder.Decode(bytes);
        _ = Fingerprinter.Compute(report);
        _ = PanicJsonLines.Format("random", report, Fingerprinter.Compute(report));
        Assert.NotNull(report.Warnings);
    }

    [Property(MaxTest = 300)]
    public void Decode_RandomText_NeverThrows(string text)
    {
        var report = PanicDecoder.Decode(text ?? string.Empty);
        _ = PanicSummary.Format("random", report, Fingerprinter.Compute(report));
    }

    [Property(MaxTest = 200)]
    public void Extract_RandomBytesAsCore_NeverThrows(byte[] bytes, bool gzipHeader)
    {
        var core = gzipHeader ? [0x1f, 0x8b, .. bytes] : new byte[] { 0xcf, 0xfa, 0xed, 0xfe }.Concat(bytes).ToArray();
        var extraction = CoreReader.Extract(new MemoryStream(core));
        Assert.NotNull(extraction.Warnings);
    }

    [CorpusProperty(MaxTest = 400)]
    public void Decode_MutatedCorpusLog_NeverThrows(NonNegativeInt file, int seed, byte[] insertion)
    {
        var logs = AllLogs.Value;
        var bytes = logs[file.Get % logs.Length].ToList();
        var random = new Random(seed);
        for (var i = random.Next(1, 6); i > 0 && bytes.Count > 0; i--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes.RemoveRange(at, Math.Min(random.Next(1, 200), bytes.Count - at)); break;
                case 1: bytes.InsertRange(at, insertion ?? []); break;
                case 2: bytes[at] = (byte)random.Next(256); break;
                case 3: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 300), bytes.Count - at))); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        var report = PanicDecoder.Decode(bytes.ToArray());
        var fingerprint = Fingerprinter.Compute(report);
        Assert.True(fingerprint.Signature.Length <= 255);
    }

    [CorpusProperty(MaxTest = 300)]
    public void Fingerprint_CorpusLogWithChangedWhitespace_IsStable(NonNegativeInt file, int seed, bool crlf)
    {
        var logs = TextLogs.Value;
        var original = logs[file.Get % logs.Length];
        var random = new Random(seed);
        var indent = new string(' ', random.Next(0, 9));
        var lines = original.Split('\n').Select(line =>
            (random.Next(3) == 0 ? indent : string.Empty) + line.TrimEnd('\r') + (random.Next(3) == 0 ? new string(random.Next(2) == 0 ? ' ' : '\t', random.Next(1, 4)) : string.Empty));
        var changed = string.Join(crlf ? "\r\n" : "\n", lines);

        Assert.Equal(Hash(original), Hash(changed));
    }

    [CorpusProperty(MaxTest = 300)]
    public void Fingerprint_CorpusLogWithRewrappedPanicMessage_IsStable(NonNegativeInt file, int seed)
    {
        var logs = TextLogs.Value;
        var original = logs[file.Get % logs.Length];
        var lines = original.Split('\n');
        var panicLine = Array.FindIndex(lines, l => l.Contains("panic(cpu", StringComparison.OrdinalIgnoreCase));
        // A whole log collapsed onto one line is not a wrapped message: splitting it re-creates its lines.
        if (panicLine < 0 || lines[panicLine].Contains(" : 0x", StringComparison.Ordinal))
        {
            return;
        }

        var line = lines[panicLine];
        var messageStart = line.IndexOf("):", StringComparison.Ordinal) + 3;
        var spaces = Enumerable.Range(messageStart, Math.Max(0, line.Length - messageStart)).Where(i => i > 0 && i < line.Length && line[i] == ' ').ToList();
        if (messageStart < 3 || spaces.Count == 0)
        {
            return;
        }

        var at = spaces[new Random(seed).Next(spaces.Count)];
        lines[panicLine] = line[..at] + "\n" + line[(at + 1)..];

        Assert.Equal(Hash(original), Hash(string.Join('\n', lines)));
    }

    private static string Hash(string log) => Fingerprinter.Compute(PanicDecoder.Decode(Encoding.UTF8.GetBytes(log))).Hash;
}
