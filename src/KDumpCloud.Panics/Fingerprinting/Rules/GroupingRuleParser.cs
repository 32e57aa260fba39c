namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>
/// Parses one rule line, <c>field:value [field:value...] -> action</c>, in one left-to-right pass. A value is a run
/// without spaces or a double-quoted string (no escapes: a glob needs no quote characters).
/// </summary>
internal static class GroupingRuleParser
{
    private const string Arrow = "->";

    public static GroupingRule Parse(int line, string text)
    {
        var arrow = FindArrow(line, text);
        var matchers = ParseMatchers(line, text.AsSpan(0, arrow));
        var (action, value) = ParseAction(line, text.AsSpan(arrow + Arrow.Length).Trim());
        return new GroupingRule(line, text, matchers, action, value);
    }

    /// <summary>The first "->" outside quotes.</summary>
    private static int FindArrow(int line, string text)
    {
        var quoted = false;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && text[i] == '-' && text[i + 1] == '>')
            {
                return i;
            }
        }

        throw new GroupingRulesException(line, quoted ? "unclosed quote" : "no \"->\" between the matchers and the action");
    }

    private static List<RuleMatcher> ParseMatchers(int line, ReadOnlySpan<char> text)
    {
        var matchers = new List<RuleMatcher>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            var colon = text[i..].IndexOf(':');
            var space = text[i..].IndexOfAny(' ', '\t');
            if (colon <= 0 || (space >= 0 && space < colon))
            {
                throw new GroupingRulesException(line, $"expected field:value at \"{Excerpt(text[i..])}\"");
            }

            var field = ParseField(line, text.Slice(i, colon));
            i += colon + 1;
            string pattern;
            if (i < text.Length && text[i] == '"')
            {
                var close = text[(i + 1)..].IndexOf('"');
                if (close < 0)
                {
                    throw new GroupingRulesException(line, "unclosed quote");
                }

                pattern = text.Slice(i + 1, close).ToString();
                i += close + 2;
                if (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    throw new GroupingRulesException(line, "expected a space after a quoted value");
                }
            }
            else
            {
                var end = text[i..].IndexOfAny(' ', '\t');
                end = end < 0 ? text.Length : i + end;
                pattern = text[i..end].ToString();
                i = end;
            }

            if (pattern.Length == 0)
            {
                throw new GroupingRulesException(line, $"empty pattern for {field.ToString().ToLowerInvariant()}");
            }

            if (pattern.Length > GroupingRules.MaxPatternLength)
            {
                throw new GroupingRulesException(line, $"pattern has {pattern.Length} characters; at most {GroupingRules.MaxPatternLength} are allowed");
            }

            if (matchers.Count == GroupingRules.MaxMatchersPerRule)
            {
                throw new GroupingRulesException(line, $"more than {GroupingRules.MaxMatchersPerRule} matchers");
            }

            matchers.Add(new RuleMatcher(field, pattern));
        }

        return matchers.Count > 0 ? matchers : throw new GroupingRulesException(line, "no matcher before \"->\"");
    }

    private static RuleField ParseField(int line, ReadOnlySpan<char> name) => name switch
    {
        "message" => RuleField.Message,
        "culprit" => RuleField.Culprit,
        "kind" => RuleField.Kind,
        "kext" => RuleField.Kext,
        _ => throw new GroupingRulesException(line, $"unknown field \"{Excerpt(name)}\" (expected message, culprit, kind or kext)"),
    };

    private static (RuleAction Action, string Value) ParseAction(int line, ReadOnlySpan<char> text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0)
        {
            throw new GroupingRulesException(line, $"expected group=NAME or add=culprit|kext|message|kind|label:NAME after \"->\", found \"{Excerpt(text)}\"");
        }

        var verb = text[..equals].Trim();
        var value = text[(equals + 1)..].Trim().ToString();
        if (verb.SequenceEqual("group"))
        {
            return (RuleAction.Group, CheckName(line, value, "group name"));
        }

        if (!verb.SequenceEqual("add"))
        {
            throw new GroupingRulesException(line, $"unknown action \"{Excerpt(verb)}\" (expected group or add)");
        }

        if (value is "culprit" or "kext" or "message" or "kind")
        {
            return (RuleAction.Add, value);
        }

        return value.StartsWith("label:", StringComparison.Ordinal)
            ? (RuleAction.Add, "label:" + CheckName(line, value["label:".Length..], "label"))
            : throw new GroupingRulesException(line, $"add= takes culprit, kext, message, kind or label:NAME, not \"{Excerpt(value)}\"");
    }

    /// <summary>Names go into fingerprints and onto screens: letters, digits, '.', '_', '-' only.</summary>
    private static string CheckName(int line, string name, string what)
    {
        if (name.Length == 0 || name.Length > GroupingRules.MaxNameLength)
        {
            throw new GroupingRulesException(line, $"{what} must have 1 to {GroupingRules.MaxNameLength} characters");
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                throw new GroupingRulesException(line, $"{what} \"{Excerpt(name)}\" may hold only letters, digits, '.', '_' and '-'");
            }
        }

        return name;
    }

    private static string Excerpt(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : text[..40].ToString() + "...";
}
