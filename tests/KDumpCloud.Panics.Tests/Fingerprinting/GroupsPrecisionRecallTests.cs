using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Tests.Support;
using Xunit.Abstractions;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

/// <summary>
/// Scores fingerprints against the corpus ground truth (GROUPS.tsv): every pair of scored files is a true
/// positive (same group, same hash), false negative, false positive or true negative. Scored files are the
/// high- and medium-confidence group members and the singletons; low-confidence members are left out, as the
/// corpus README asks. Every pair and the figures are printed so that a regression shows which pair moved.
/// </summary>
public class GroupsPrecisionRecallTests(ITestOutputHelper output)
{
    private const double RequiredRecall = 0.9;

    [CorpusFact]
    public void Fingerprints_CorpusGroups_PrecisionIsOneAndRecallAtLeastNinetyPercent()
    {
        var scored = Corpus.Groups()
            .Where(row => row.IsSingleton || row.Confidence is "high" or "medium")
            .Select(row => (Row: row, Fingerprint: Fingerprinter.Compute(PanicDecoder.Decode(File.ReadAllBytes(Corpus.PathOf(row.File))))))
            .ToList();

        int truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0;
        var lines = new List<string>();
        for (var i = 0; i < scored.Count; i++)
        {
            for (var j = i + 1; j < scored.Count; j++)
            {
                var (a, b) = (scored[i], scored[j]);
                var sameGroup = a.Row.GroupId == b.Row.GroupId;
                var sameHash = a.Fingerprint.Hash == b.Fingerprint.Hash;
                var outcome = (sameGroup, sameHash) switch
                {
                    (true, true) => "TP",
                    (true, false) => "FN",
                    (false, true) => "FP",
                    _ => "TN",
                };
                _ = outcome switch
                {
                    "TP" => truePositives++,
                    "FN" => falseNegatives++,
                    "FP" => falsePositives++,
                    _ => trueNegatives++,
                };
                lines.Add($"{outcome} {a.Row.GroupId,-5} {b.Row.GroupId,-5} {Short(a.Row.File)} {Short(b.Row.File)}"
                    + (outcome is "TP" or "TN" ? string.Empty : $"\n     {a.Fingerprint.Signature}\n     {b.Fingerprint.Signature}"));
            }
        }

        var precision = truePositives + falsePositives == 0 ? 0 : (double)truePositives / (truePositives + falsePositives);
        var recall = truePositives + falseNegatives == 0 ? 0 : (double)truePositives / (truePositives + falseNegatives);
        output.WriteLine($"files scored: {scored.Count}, pairs: {lines.Count}");
        output.WriteLine($"TP {truePositives}  FN {falseNegatives}  FP {falsePositives}  TN {trueNegatives}");
        output.WriteLine($"precision {precision:F4}  recall {recall:F4}  (fingerprint {Fingerprinter.Version})");
        foreach (var line in lines.OrderBy(l => l[..2] switch { "FP" => 0, "FN" => 1, "TP" => 2, _ => 3 }))
        {
            output.WriteLine(line);
        }

        Assert.True(truePositives + falseNegatives > 0, "GROUPS.tsv has no scored same-group pairs");
        Assert.Equal(1.0, precision);
        Assert.True(recall >= RequiredRecall, $"recall {recall:F4} is below {RequiredRecall}");
    }

    private static string Short(string file) => file.Length <= 40 ? file : file[..40];
}
