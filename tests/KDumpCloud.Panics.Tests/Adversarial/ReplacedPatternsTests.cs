using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;

namespace KDumpCloud.Panics.Tests.Adversarial;

/// <summary>
/// Issue 6 item 9 replaced quadratic code with linear code; these check that the replacements accept and capture
/// exactly what the old code did, on strings built slot by slot from right and wrong pieces of what each pattern reads,
/// with a piece from another slot thrown in now and then (short strings, so that the old code stays fast; fixed seed).
/// </summary>
public class ReplacedPatternsTests
{
    private const int SampleCount = 20_000;

    [Fact]
    public void AssertionPattern_NonBacktracking_MatchesTheBacktrackingPattern() =>
        AssertSameMatches(
            new Regex(@"assertion failed:.*?,\s*file:\s*(?<file>\S+?),\s*line:\s*(?<line>\d+)", RegexOptions.CultureInvariant | RegexOptions.Singleline),
            MessageClassifier.AssertionPattern,
            [["", "x ", "assertion failed:"], ["assertion failed: ", " a", "", "\n"], [",", ", ", "", " ,"], ["file:", " file: ", "file", "\tfile:"],
                ["", " ", "\n"], ["a.c", "/x/a.c", "a,b", "", "a b"], [",", "", ", "], [" ", "", "\n"], ["line:", "line: ", "", "lines:"], ["12", "x", "", " 3"], ["", ",", " x"]]);

    [Fact]
    public void UserspaceWatchdogPattern_NonBacktracking_MatchesTheBacktrackingPattern() =>
        AssertSameMatches(
            new Regex(@"userspace watchdog timeout:.*?checkins from (?<service>[A-Za-z0-9_.\-]+)", RegexOptions.CultureInvariant | RegexOptions.Singleline),
            MessageClassifier.UserspaceWatchdogPattern,
            [["", "x", "userspace watchdog timeout:"], ["userspace watchdog timeout: ", " no successful ", "", "\n"], ["checkins from ", "checkins from", "", "checkins"],
                ["com.apple.x", "-", "", " ", "a_b"], ["", " ", "checkins from x"]]);

    [Fact]
    public void StatusDumpPattern_WithoutLookbehind_FindsTheSameDump()
    {
        var old = new Regex(@"(?<![\w\[/])[A-Za-z][A-Za-z0-9_]*(?:\[[^\]\s]*\])?(?:/[A-Za-z][A-Za-z0-9_]*)*=", RegexOptions.CultureInvariant);
        string[][] slots = [["", "a", "a b ", "x/", "["], ["CSTS", "US", "é", "1", "_a"], ["", "[1]", "[", "[a b]", "]"], ["", "/VID", "/", "/1"], ["=", "", " =", "0x3"],
            ["", " ", "-", "."], ["US[0]=", "a=", "", "[x="]];
        foreach (var text in Samples(slots, seed: 3))
        {
            var expected = old.Match(text);
            var actual = MessageTemplate.StatusDumpPattern.Match(text).Groups["dump"];
            Assert.True(expected.Success == actual.Success && expected.Index == actual.Index && expected.Value == actual.Value,
                $"[{text}]: backtracking {expected.Success} at {expected.Index} '{expected.Value}', now {actual.Success} at {actual.Index} '{actual.Value}'");
        }
    }

    [Fact]
    public void KextLineReader_ReadsWhatTheOldPatternMatched()
    {
        var old = new Regex(@"^(?<dep>dependency:\s*)?(?<id>[A-Za-z0-9_.\-]+)\s*\((?<ver>[^)]*)\)\s*(?:\[(?<uuid>[0-9A-Fa-f\- ]+)\])?\s*@\s*0\s?x(?<start>[0-9a-fA-F ]+?)(?:\s*->\s*0x(?<end>[0-9a-fA-F ]+?))?\s*$", RegexOptions.CultureInvariant);
        string[][] slots = [["", "dependency:", "dependency: ", "x "], ["com.a", "", "a b", "c-1"], ["", " ", "\t"], ["(1.0)", "()", "(", "1.0)"], ["", " "],
            ["", "[AB-12]", "[A B]", "[]", "[Z]", "["], ["", " "], ["@", "", "@ "], ["0x", "0 x", "0", "x", " 0x"], ["ff", "f f", " ", "", "Z", "1 "],
            ["", "->0x2", " -> 0x 3", "->0x", "-> 0x4 ", "->", "->0x5Z"], ["", " ", "\t", "Z"]];
        var matched = 0;
        foreach (var line in Samples(slots, seed: 4).Concat(RealLines()))
        {
            var match = old.Match(line);
            var expected = match.Success
                ? new KextEntry(match.Groups["id"].Value, match.Groups["dep"].Success, match.Groups["ver"].Value,
                    match.Groups["uuid"].Success ? match.Groups["uuid"].Value.Replace(" ", "", StringComparison.Ordinal) : null,
                    Hex.Parse(match.Groups["start"].Value.Replace(" ", "", StringComparison.Ordinal)),
                    match.Groups["end"].Success ? Hex.Parse(match.Groups["end"].Value.Replace(" ", "", StringComparison.Ordinal)) : null)
                : null;
            matched += match.Success ? 1 : 0;

            Assert.True(expected == KextLineReader.Parse(line), $"[{line}]: expected {expected}, read {KextLineReader.Parse(line)}");
        }

        Assert.True(matched > 100, $"only {matched} samples were kext lines: the comparison says little");
    }

    [Fact]
    public void SourceTag_BoundedScan_FindsWhatTheUnboundedOneFound()
    {
        string[][] slots = [["", "text", "\"text\"", "x'"], ["@", " @", "", "@@"], ["", " ", "/", "/a/", "a\"b/"], ["file", "b c", "", "'x", "\n"], [".c", ".cpp", ".swift", ".x", "", ".c "],
            [":", "", "::", ":x:"], ["12", "", "x", "99999999999"], ["", " @x.h:1", ":3", "\n", " "]];
        var found = 0;
        foreach (var text in Samples(slots, seed: 5))
        {
            var expected = OldSourceTag(text);
            found += expected is null ? 0 : 1;

            Assert.Equal(expected, SourceTag.Find(text));
        }

        Assert.True(found > 100, $"only {found} samples had a tag: the comparison says little");
    }

    private static void AssertSameMatches(Regex backtracking, Regex nonBacktracking, string[][] slots)
    {
        var matched = 0;
        foreach (var text in Samples(slots, seed: 2))
        {
            var expected = backtracking.Match(text);
            var actual = nonBacktracking.Match(text);
            matched += expected.Success ? 1 : 0;
            foreach (var name in backtracking.GetGroupNames())
            {
                var (e, a) = (expected.Groups[name], actual.Groups[name]);
                Assert.True(e.Success == a.Success && e.Index == a.Index && e.Value == a.Value,
                    $"[{text}] group {name}: backtracking {e.Success} at {e.Index} '{e.Value}', non-backtracking {a.Success} at {a.Index} '{a.Value}'");
            }
        }

        Assert.True(matched > 100, $"only {matched} samples matched: the comparison says little");
    }

    private static IEnumerable<string> Samples(string[][] slots, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var i = 0; i < SampleCount; i++)
        {
            text.Clear();
            foreach (var slot in slots)
            {
                text.Append(slot[random.Next(slot.Length)]);
                if (random.Next(8) == 0)
                {
                    var other = slots[random.Next(slots.Length)];
                    text.Append(other[random.Next(other.Length)]);
                }
            }

            yield return text.ToString();
        }
    }

    private static IEnumerable<string> RealLines() =>
    [
        "com.apple.iokit.IOGraphicsFamily(519.15)[D5F2A20D-CAB0-33B2-91B9-E8755DFC34CB]@0xffffff7f84b5f000->0xffffff7f84baafff",
        "dependency: com.apple.iokit.IOPCIFamily(2.9)[1850E7DA-E707-3027-A3AA-637C80B57219]@0xffffff7f8e294000",
        "com.nvidia.web.GeForceWeb(10.3.1)[8E2AB3E3-4EE5-3F90-B6D8-54CEB8595A5F]@0xffffff 7f8e390000->0xffffff7f8ea08fff",
        "com.apple.driver.AppleIntelCPUPowerManagement(222.0.0)@0x 92a000->0x94bfff",
        "com.apple.x(1)[D52AFA28 EE2B]@0 x1 2 ->0x3  ",
    ];

    /// <summary>The source-tag search as it was before issue 6: unbounded, and scanning again per ':' (the oracle).</summary>
    private static SourceTag? OldSourceTag(string message)
    {
        for (var at = message.LastIndexOf('@'); at >= 0; at = at == 0 ? -1 : message.LastIndexOf('@', at - 1))
        {
            var pathStart = at + 1;
            while (pathStart < message.Length && message[pathStart] == ' ')
            {
                pathStart++;
            }

            for (var colon = message.IndexOf(':', pathStart); colon > pathStart; colon = message.IndexOf(':', colon + 1))
            {
                var path = message.AsSpan(pathStart, colon - pathStart);
                if (path.IndexOfAny('"', '\n', '\'') >= 0)
                {
                    break;
                }

                var digitsEnd = colon + 1;
                while (digitsEnd < message.Length && char.IsAsciiDigit(message[digitsEnd]))
                {
                    digitsEnd++;
                }

                var file = MessageClassifier.BaseName(path.ToString());
                string[] extensions = [".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".mm", ".s", ".swift", ".c++"];
                if (digitsEnd == colon + 1 || !extensions.Any(e => file.Length > e.Length && file.EndsWith(e, StringComparison.Ordinal)))
                {
                    continue;
                }

                int? line = int.TryParse(message.AsSpan(colon + 1, digitsEnd - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
                var start = at;
                while (start > 0 && message[start - 1] == ' ')
                {
                    start--;
                }

                if (start > 0 && message[start - 1] is '"' or '\'')
                {
                    start--;
                }

                return new SourceTag(start, file, line);
            }
        }

        return null;
    }
}
