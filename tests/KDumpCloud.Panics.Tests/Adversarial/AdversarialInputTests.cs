using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Output;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Adversarial;

/// <summary>
/// Issue 6 item 9: every pattern and scanning loop that untrusted text reaches must do work linear in the text.
/// Each case below is built to make one of them super-linear (a phrase a pattern starts on, repeated; a run a lazy
/// loop re-scans; a list searched once per entry), and the whole decode, fingerprint and output are timed at
/// two sizes. The case names say which code each one aims at.
/// </summary>
[Collection(TimingCollection.Name)]
public class AdversarialInputTests
{
    private const int SmallSize = 48 * 1024;
    private const string Panic = "panic(cpu 0 caller 0xffffff8000200000): ";

    public static TheoryData<string> Cases() => [.. Inputs.Keys];

    private static readonly Dictionary<string, Func<int, string>> Inputs = new()
    {
        // MessageClassifier: a pattern that starts at a repeated phrase and scans lazily to the end of the message.
        ["assertion, repeated phrase"] = n => Panic + Repeat("assertion failed: ", n),
        ["assertion, repeated file tail"] = n => Panic + "assertion failed: " + Repeat(",file:a", n),
        ["userspace watchdog, repeated phrase"] = n => Panic + Repeat("userspace watchdog timeout: ", n),
        ["trap, repeated type"] = n => Panic + Repeat("type 1 = a- ", n),
        ["PowerPC trap, repeated"] = n => Panic + Repeat("kernel trap(cpu 0): 0x300 - A ", n),
        ["sleep/wake, repeated bundle"] = n => Panic + "Sleep transition timed out " + Repeat("Suspected bundle: a", n),
        ["coprocessor, one long name"] = n => Repeat("A", n) + " PANIC",
        ["coprocessor instance, repeated"] = n => Panic + Repeat("DCPEXT1 AEXT ", n),

        // SourceTag: every '@' scanned forward through every ':' after it.
        ["source tag, repeated @x:1"] = n => Panic + Repeat("@x:1 ", n),
        ["source tag, only @"] = n => Panic + Repeat("@", n),
        ["source tag, @ then colons"] = n => Panic + "@" + Repeat(":1", n),
        ["source tag, paths"] = n => Panic + Repeat("@/a/b c.c:x ", n),

        // MessageTemplate: NAME=value status dumps and assertion file tails.
        ["status dump, open brackets"] = n => Panic + "a b = " + Repeat("a[-", n),
        ["status dump, slashes"] = n => Panic + "a b = " + Repeat("a/", n),
        ["status dump, words"] = n => Panic + "a b = " + Repeat("abc-", n),
        ["template, commas before file"] = n => Panic + Repeat(", file:", n),

        // kdc-fp-2 message facts: Class::method, watchdog context, hex runs and durations, sleep/wake failure heading.
        ["class and method, repeated ::"] = n => Panic + Repeat("a::", n),
        ["class and method, long identifiers"] = n => Panic + Repeat(new string('A', 200) + "::", n / 200),
        ["class and method, colons only"] = n => Panic + Repeat(":", n),
        ["watchdog context, repeated"] = n => Panic + "userspace watchdog timeout: no successful checkins from a " + Repeat("not alive with context ", n),
        ["template, hex runs and units"] = n => Panic + Repeat("1e 60s 3rd ab12c ", n),
        ["sleep wake failure, repeated heading"] = n => Repeat("Sleep Wake failure in EFI\nFailure code:: ", n),
        ["frames, bundle plus offset"] = n => Panic + "x\nBacktrace (CPU 0), Frame : Return Address\n" + Lines(i => $"0x1 : 0xffffff7f{i:x8} com.a{i} + {i}", n / 2),

        // Kext section: one pattern per line, deduplication per entry, kext ranges per frame.
        ["kext line, long space run"] = n => Panic + "x\nKernel Extensions in backtrace:\ncom.a(1.0)@0x1" + new string(' ', n) + "Z\n",
        ["kext line, long space run after ->"] = n => Panic + "x\nKernel Extensions in backtrace:\ncom.a(1.0)@0x1->0x2" + new string(' ', n) + "Z\n",
        ["kext lines, all distinct"] = n => Panic + "x\nKernel Extensions in backtrace:\n" + Lines(i => $"com.a{i}(1.0)[0]@0x{i:x}->0x{i + 1:x}", n),
        ["kext dependencies, all distinct"] = n => Panic + "x\nKernel Extensions in backtrace:\ncom.a(1.0)@0x1->0x2\n" + Lines(i => $"dependency: com.a{i}(1.0)@0x{i:x}", n),
        ["frames and kext ranges"] = n => Panic + "x\nBacktrace (CPU 0), Frame : Return Address\n" + Lines(i => $"0x1 : 0xffffff80{i:x8}", n / 2)
            + "Kernel Extensions in backtrace:\n" + Lines(i => $"com.a{i}(1.0)[0]@0x{i:x}->0x{i + 1:x}", n / 2),

        // Lines, paste cleaning, JSON containers, the panic line.
        ["one huge line"] = n => Panic + new string('x', n),
        ["many short lines"] = n => Panic + "x\n" + Repeat("x\n", n),
        ["message wrapped over long lines in an open quote"] = n => Panic + "\"" + Lines(_ => new string('y', n / 12), n),
        ["many pasted panics"] = n => Repeat(Panic + "x\n", n),
        ["markdown quotes"] = n => Repeat("> x\n", n),
        ["HTML entities without end"] = n => Panic + Repeat("&", n) + ";",
        ["JSON keys, lenient scan"] = n => "{\"panicString\":\"" + Repeat("\\\"panicString\\\"", n),
        ["JSON, string fragment"] = n => Repeat("\\n\\\"x", n) + "\", \"k\": 1}",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_AdversarialInput_TakesLinearTime(string name) =>
        Linearity.AssertLinear(Inputs[name], DecodeAndFormat, SmallSize);

    private static void DecodeAndFormat(string text)
    {
        var report = PanicDecoder.Decode(Encoding.UTF8.GetBytes(text));
        var fingerprint = Fingerprinter.Compute(report);
        _ = PanicJsonLines.Format("adversarial", report, fingerprint);
        _ = PanicSummary.Format("adversarial", report, fingerprint);
    }

    private static string Repeat(string phrase, int length)
    {
        var text = new StringBuilder(length + phrase.Length);
        while (text.Length < length)
        {
            text.Append(phrase);
        }

        return text.ToString();
    }

    private static string Lines(Func<int, string> line, int length)
    {
        var text = new StringBuilder(length + 64);
        for (var i = 0; text.Length < length; i++)
        {
            text.Append(line(i)).Append('\n');
        }

        return text.ToString();
    }
}
