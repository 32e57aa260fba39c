using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>Turns a default fingerprint into the one a matching lab rule asks for, and says so in the explanation.</summary>
internal static class LabRuleApplier
{
    public static CrashFingerprint Apply(CrashFingerprint fingerprint, GroupingRule rule, PanicReport report)
    {
        var explanation = new List<string>(fingerprint.Explanation.Count + 1);
        if (rule.Action == RuleAction.Group)
        {
            string[] forced = ["version=" + fingerprint.Version, "group=" + rule.Value];
            explanation.Add($"group forced to {rule.Value} by lab rule line {rule.Line}: {rule.Text}");
            explanation.AddRange(fingerprint.Explanation.Select(line => "(default, not hashed) " + line));
            return fingerprint with
            {
                Hash = Fingerprinter.Hash(forced),
                Signature = Cut($"{rule.Value} (lab rule) | {fingerprint.Signature}"),
                Components = forced,
                Explanation = explanation,
            };
        }

        var added = "rule-" + rule.Value.Split(':')[0] + "=" + AddedValue(rule, report);
        var components = fingerprint.Components.Append(added).ToList();
        explanation.Add($"{added} added by lab rule line {rule.Line}: {rule.Text}");
        explanation.AddRange(fingerprint.Explanation);
        return fingerprint with
        {
            Hash = Fingerprinter.Hash(components),
            Components = components,
            Explanation = explanation,
        };
    }

    private static string AddedValue(GroupingRule rule, PanicReport report) => rule.Value switch
    {
        "culprit" => report.Culprit ?? "?",
        "kind" => report.Kind.ToString(),
        "message" => MessageTemplate.Normalize(report.PanicMessage),
        "kext" => KextValue(rule, report),
        _ => rule.Value["label:".Length..],
    };

    /// <summary>The kext the rule's kext matcher accepted, else the first kext of the backtrace.</summary>
    private static string KextValue(GroupingRule rule, PanicReport report)
    {
        foreach (var matcher in rule.Matchers)
        {
            if (matcher.Field == RuleField.Kext && GroupingRules.FirstKext(report, matcher) is { } kext)
            {
                return kext;
            }
        }

        return report.Kexts.Count > 0 ? report.Kexts[0].BundleId : report.Frames.FirstOrDefault(f => f.Kext is not null)?.Kext ?? "?";
    }

    private static string Cut(string signature) =>
        signature.Length <= Fingerprinter.SignatureLimit ? signature : signature[..(Fingerprinter.SignatureLimit - 3)] + "...";
}
