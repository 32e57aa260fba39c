using System.Text;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>
/// A lab's grouping rules (Sentry's fingerprint rules are the model), applied by
/// <see cref="Fingerprinter.Compute(PanicReport, GroupingRules)"/> without a release. One rule per line, the first
/// that matches wins; the format is in README.md ("Lab grouping rules"):
/// <code>
/// # comment
/// message:"*AppleUSB*timed out*" kext:com.example.* -> group=usb-timeouts
/// culprit:com.example.audio.* kind:Trap -> add=culprit
/// </code>
/// Rules files come from disk, so parsing is bounded: at most <see cref="MaxFileBytes"/> bytes,
/// <see cref="MaxRules"/> rules, <see cref="MaxLineLength"/> characters a line and
/// <see cref="MaxPatternLength"/> a pattern; errors name their line.
/// </summary>
public sealed class GroupingRules
{
    public const int MaxFileBytes = 64 * 1024;
    public const int MaxRules = 256;
    public const int MaxLineLength = 1024;
    public const int MaxPatternLength = 256;
    public const int MaxMatchersPerRule = 8;
    public const int MaxNameLength = 64;

    private GroupingRules(IReadOnlyList<GroupingRule> rules) => Rules = rules;

    /// <summary>No rules: fingerprints are the default ones.</summary>
    public static GroupingRules Empty { get; } = new([]);

    public IReadOnlyList<GroupingRule> Rules { get; }

    /// <summary>Reads and parses a rules file; throws <see cref="GroupingRulesException"/> when it is too large or malformed.</summary>
    public static GroupingRules Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        if (stream.Length > MaxFileBytes)
        {
            throw new GroupingRulesException(0, $"{path} is {stream.Length} bytes; a rules file may have at most {MaxFileBytes}");
        }

        // Read one byte more than allowed so that a file that grew after the length check is still refused.
        var buffer = new byte[MaxFileBytes + 1];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read > MaxFileBytes)
        {
            throw new GroupingRulesException(0, $"{path} has more than {MaxFileBytes} bytes");
        }

        return Parse(new UTF8Encoding(false, true).GetString(buffer, 0, read));
    }

    /// <summary>Parses rules text; throws <see cref="GroupingRulesException"/> naming the first bad line.</summary>
    public static GroupingRules Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFileBytes)
        {
            throw new GroupingRulesException(0, $"rules text has {text.Length} characters; at most {MaxFileBytes} are allowed");
        }

        var rules = new List<GroupingRule>();
        var number = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            number++;
            var line = text.AsSpan()[range].TrimEnd('\r');
            if (line.Length > MaxLineLength)
            {
                throw new GroupingRulesException(number, $"line has {line.Length} characters; at most {MaxLineLength} are allowed");
            }

            var trimmed = line.Trim();
            if (trimmed.IsEmpty || trimmed[0] == '#')
            {
                continue;
            }

            if (rules.Count == MaxRules)
            {
                throw new GroupingRulesException(number, $"more than {MaxRules} rules");
            }

            rules.Add(GroupingRuleParser.Parse(number, trimmed.ToString()));
        }

        return new GroupingRules(rules);
    }

    /// <summary>The first rule all of whose matchers match the report, or null.</summary>
    public GroupingRule? Match(PanicReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (Rules.Count == 0)
        {
            return null;
        }

        var message = report.PanicMessage is { } m ? MessageClassifier.Flatten(m) : string.Empty;
        foreach (var rule in Rules)
        {
            if (rule.Matchers.All(matcher => Matches(matcher, report, message)))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool Matches(RuleMatcher matcher, PanicReport report, string message) => matcher.Field switch
    {
        RuleField.Message => matcher.Glob.IsMatch(message),
        RuleField.Culprit => matcher.Glob.IsMatch(report.Culprit ?? string.Empty),
        RuleField.Kind => matcher.Glob.IsMatch(report.Kind.Category.ToString()) || matcher.Glob.IsMatch(report.Kind.ToString()),
        RuleField.Kext => FirstKext(report, matcher) is not null,
        _ => false,
    };

    /// <summary>The first kext of the backtrace (kext list, then frames) the matcher accepts.</summary>
    internal static string? FirstKext(PanicReport report, RuleMatcher matcher)
    {
        foreach (var kext in report.Kexts)
        {
            if (matcher.Glob.IsMatch(kext.BundleId))
            {
                return kext.BundleId;
            }
        }

        foreach (var frame in report.Frames)
        {
            if (frame.Kext is { } kext && matcher.Glob.IsMatch(kext))
            {
                return kext;
            }
        }

        return null;
    }
}
