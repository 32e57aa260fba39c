namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>What a report is matched on: the panic message, the culprit, the kind, or any kext in the backtrace.</summary>
public enum RuleField
{
    Message,
    Culprit,
    Kind,
    Kext,
}

/// <summary>What a matching rule does: force the group key, or add one value to the default key.</summary>
public enum RuleAction
{
    /// <summary>The fingerprint is the group name alone: every matching report lands in one group.</summary>
    Group,

    /// <summary>A value is added to the default components: matching reports split off from the rest.</summary>
    Add,
}

/// <summary>One matcher of a rule: a field and its glob.</summary>
public sealed record RuleMatcher(RuleField Field, string Pattern)
{
    internal Glob Glob { get; } = new(Pattern);
}

/// <summary>
/// One line of a rules file: all <see cref="Matchers"/> must match; then <see cref="Action"/> applies with
/// <see cref="Value"/> (the group name, or for <see cref="RuleAction.Add"/> <c>culprit</c>, <c>kext</c>,
/// <c>message</c>, <c>kind</c> or <c>label:NAME</c>). <see cref="Line"/> and <see cref="Text"/> say where it came from.
/// </summary>
public sealed record GroupingRule(int Line, string Text, IReadOnlyList<RuleMatcher> Matchers, RuleAction Action, string Value);
