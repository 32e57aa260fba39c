using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.TestSupport;
using Xunit.Abstractions;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

/// <summary>
/// Scores fingerprints against the corpus ground truth (GROUPS.tsv): every pair of scored files is a true
/// positive (same group, same hash), false negative, false positive or true negative. Scored files are the
/// high- and medium-confidence group members and the singletons; low-confidence members are left out, as the
/// corpus README asks (their figures are printed for information only). Every pair and the figures are printed
/// so that a regression shows which pair moved.
/// </summary>
public class GroupsPrecisionRecallTests(ITestOutputHelper output)
{
    private const double RequiredRecall = 0.9;

    [CorpusFact]
    public void Fingerprints_CorpusGroups_PrecisionIsOneAndRecallAtLeastNinetyPercent()
    {
        var rows = Corpus.Groups()
            .Select(row => (Row: row, Fingerprint: Fingerprinter.Compute(PanicFileDecoder.Decode(Corpus.PathOf(row.File)))))
            .ToList();

        var informational = Score(rows);
        var scored = Score(rows.Where(r => r.Row.IsSingleton || r.Row.Confidence is "high" or "medium").ToList());

        output.WriteLine($"fingerprint {Fingerprinter.Version}");
        output.WriteLine($"scored (high+medium groups and singletons): {scored.Files} files, {scored.Lines.Count} pairs");
        output.WriteLine($"  TP {scored.TruePositives}  FN {scored.FalseNegatives}  FP {scored.FalsePositives}  TN {scored.TrueNegatives}");
        output.WriteLine($"  precision {scored.Precision:F4}  recall {scored.Recall:F4}");
        output.WriteLine($"for information, all confidences: {informational.Files} files; TP {informational.TruePositives}  FN {informational.FalseNegatives}  FP {informational.FalsePositives}; precision {informational.Precision:F4}  recall {informational.Recall:F4}");
        foreach (var line in scored.Lines.OrderBy(l => l[..2] switch { "FP" => 0, "FN" => 1, "TP" => 2, _ => 3 }))
        {
            output.WriteLine(line);
        }

        Assert.True(scored.TruePositives + scored.FalseNegatives > 0, "GROUPS.tsv has no scored same-group pairs");
        Assert.Equal(1.0, scored.Precision);
        Assert.True(scored.Recall >= RequiredRecall, $"recall {scored.Recall:F4} is below {RequiredRecall}");
    }

    private static PairScore Score(List<(GroupRow Row, CrashFingerprint Fingerprint)> files)
    {
        var score = new PairScore { Files = files.Count };
        for (var i = 0; i < files.Count; i++)
        {
            for (var j = i + 1; j < files.Count; j++)
            {
                var (a, b) = (files[i], files[j]);
                var sameGroup = a.Row.GroupId == b.Row.GroupId;
                var sameHash = a.Fingerprint.Hash == b.Fingerprint.Hash;
                string outcome;
                if (sameGroup && sameHash)
                {
                    outcome = "TP";
                    score.TruePositives++;
                }
                else if (sameGroup)
                {
                    outcome = "FN";
                    score.FalseNegatives++;
                }
                else if (sameHash)
                {
                    outcome = "FP";
                    score.FalsePositives++;
                }
                else
                {
                    outcome = "TN";
                    score.TrueNegatives++;
                }

                score.Lines.Add($"{outcome} {a.Row.GroupId,-5} {b.Row.GroupId,-5} {Short(a.Row.File)} {Short(b.Row.File)}"
                    + (outcome is "FN" or "FP" ? $"\n     {a.Fingerprint.Signature}\n     {b.Fingerprint.Signature}" : string.Empty));
            }
        }

        return score;
    }

    private static string Short(string file) => file.Length <= 40 ? file : file[..40];

    private sealed class PairScore
    {
        public int Files { get; init; }
        public int TruePositives { get; set; }
        public int FalseNegatives { get; set; }
        public int FalsePositives { get; set; }
        public int TrueNegatives { get; set; }
        public List<string> Lines { get; } = [];

        public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);
        public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);
    }
}
