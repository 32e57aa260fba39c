using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Fingerprinting.Rules;
using KDumpCloud.Panics.Model;
using KDumpCloud.Panics.Tests.Support;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

/// <summary>Lab grouping rules: the format, its bounds and errors, matching, and what each action does to the fingerprint.</summary>
public class GroupingRulesTests
{
    private static readonly PanicReport Widget = PanicDecoder.Decode(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000,
        message: "AppleWidgetController::resetPort(3) timed out after 5000 ms", kext: "com.example.driver.Widget"));

    private static readonly PanicReport Gadget = PanicDecoder.Decode(SyntheticPanics.X86(0x0d800000, 0xffffff7f8e390000,
        message: "AppleGadget::start failed", kext: "com.example.driver.Gadget"));

    [Fact]
    public void Group_ForcesOneKeyForEveryMatchingReport_AndSaysWhichLine()
    {
        var rules = GroupingRules.Parse("# lab\n\nkext:com.example.driver.* -> group=example-drivers\n");

        var widget = Fingerprinter.Compute(Widget, rules);
        var gadget = Fingerprinter.Compute(Gadget, rules);

        Assert.Equal(widget.Hash, gadget.Hash);
        Assert.NotEqual(Fingerprinter.Compute(Widget).Hash, widget.Hash);
        Assert.Equal(32, widget.Hash.Length);
        Assert.Equal(["version=" + Fingerprinter.Version, "group=example-drivers"], widget.Components);
        Assert.StartsWith("group forced to example-drivers by lab rule line 3: kext:com.example.driver.*", widget.Explanation[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Add_SplitsTheDefaultGroup_AndKeepsTheDefaultComponents()
    {
        var rules = GroupingRules.Parse("message:\"*timed out*\" -> add=label:timeouts");

        var widget = Fingerprinter.Compute(Widget, rules);

        Assert.NotEqual(Fingerprinter.Compute(Widget).Hash, widget.Hash);
        Assert.Equal(Fingerprinter.Compute(Gadget).Hash, Fingerprinter.Compute(Gadget, rules).Hash);
        Assert.Equal([.. Fingerprinter.Compute(Widget).Components, "rule-label=timeouts"], widget.Components);
        Assert.Contains(widget.Explanation, line => line.Contains("lab rule line 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("culprit", "rule-culprit=AppleWidgetController::resetPort")]
    [InlineData("kext", "rule-kext=com.example.driver.Widget")]
    [InlineData("kind", "rule-kind=message")]
    public void Add_Field_AddsTheReportsValue(string field, string expected)
    {
        var fingerprint = Fingerprinter.Compute(Widget, GroupingRules.Parse($"kind:Message -> add={field}"));

        Assert.Equal(expected, fingerprint.Components[^1]);
    }

    [Fact]
    public void Match_FirstRuleWins_AndEveryMatcherOfARuleMustMatch()
    {
        var rules = GroupingRules.Parse("kext:com.example.* culprit:nothing -> group=never\nculprit:AppleWidget* -> group=first\nkind:* -> group=second");

        Assert.Equal("first", rules.Match(Widget)!.Value);
        Assert.Equal("second", rules.Match(Gadget)!.Value);
    }

    [Theory]
    [InlineData("*AppleUSB*timed out*", "AppleUSBXHCI::abort timed out after 5 s", true)]
    [InlineData("*appleusb*TIMED OUT*", "AppleUSBXHCI::abort timed out after 5 s", true)]
    [InlineData("AppleUSB*", "xAppleUSB", false)]
    [InlineData("*out", "timed out after", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("ab*ba", "aba", false)]
    [InlineData("ab*ba", "abba", true)]
    [InlineData("*", "", true)]
    [InlineData("com.example.*", "com.example.driver.Widget", true)]
    public void Glob_Matches(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, new Glob(pattern).IsMatch(text));
    }

    [Theory]
    [InlineData("kext:a group=x", 1, "no \"->\"")]
    [InlineData("\n\nproduct:Mac* -> group=x", 3, "unknown field \"product\"")]
    [InlineData("kext:\"a b -> group=x", 1, "unclosed quote")]
    [InlineData("-> group=x", 1, "no matcher")]
    [InlineData("kext:a -> group=bad name", 1, "may hold only")]
    [InlineData("kext:a -> add=everything", 1, "add= takes")]
    [InlineData("kext:a -> split=x", 1, "unknown action")]
    [InlineData("kext: -> group=x", 1, "empty pattern")]
    [InlineData("kext -> group=x", 1, "expected field:value")]
    public void Parse_BadLine_NamesItsLine(string text, int line, string reason)
    {
        var error = Assert.Throws<GroupingRulesException>(() => GroupingRules.Parse(text));

        Assert.Equal(line, error.Line);
        Assert.StartsWith($"line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Bounds_AreEnforcedWithTheLineAtFault()
    {
        var tooMany = string.Concat(Enumerable.Repeat("kext:a -> group=x\n", GroupingRules.MaxRules + 1));
        Assert.Equal(GroupingRules.MaxRules + 1, Assert.Throws<GroupingRulesException>(() => GroupingRules.Parse(tooMany)).Line);

        var longLine = "kext:" + new string('a', GroupingRules.MaxLineLength) + " -> group=x";
        Assert.Contains("at most", Assert.Throws<GroupingRulesException>(() => GroupingRules.Parse(longLine)).Message, StringComparison.Ordinal);

        var longPattern = "kext:" + new string('a', GroupingRules.MaxPatternLength + 1) + " -> group=x";
        Assert.Contains("pattern has", Assert.Throws<GroupingRulesException>(() => GroupingRules.Parse(longPattern)).Message, StringComparison.Ordinal);

        Assert.Equal(0, Assert.Throws<GroupingRulesException>(() => GroupingRules.Parse(new string('#', GroupingRules.MaxFileBytes + 1))).Line);
    }

    [Fact]
    public void Load_FileLargerThanTheBound_IsRefusedBeforeParsing()
    {
        var path = Path.Combine(Path.GetTempPath(), "kdumpcloud-rules-" + Guid.NewGuid().ToString("n"));
        try
        {
            File.WriteAllText(path, new string('#', GroupingRules.MaxFileBytes + 10));
            Assert.Contains("at most", Assert.Throws<GroupingRulesException>(() => GroupingRules.Load(path)).Message, StringComparison.Ordinal);

            File.WriteAllText(path, "kind:Trap -> group=traps\n");
            Assert.Single(GroupingRules.Load(path).Rules);
        }
        finally
        {
            File.Delete(path);
        }
    }

}

/// <summary>Glob matching on hostile text, timed apart from other tests.</summary>
[Collection(TimingCollection.Name)]
public class GroupingRulesTimingTests
{
    [Fact]
    public void Glob_AdversarialText_IsLinear()
    {
        // Many stars and a near-miss at every place: a backtracking matcher would retry each star at each position.
        var glob = new Glob("*a*a*a*a*a*a*a*a*a*b");
        Linearity.AssertLinear(n => new string('a', n), text => glob.IsMatch(text), 48 * 1024);
    }
}
