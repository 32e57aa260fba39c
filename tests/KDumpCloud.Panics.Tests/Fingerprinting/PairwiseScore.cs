using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Fingerprinting;
using KDumpCloud.Panics.Model;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Fingerprinting;

/// <summary>One scored file: its ground-truth row, its decode and its fingerprint.</summary>
internal sealed record ScoredFile(GroupRow Row, PanicReport Report, CrashFingerprint Fingerprint)
{
    public static ScoredFile Decode(GroupRow row, string path)
    {
        var report = PanicFileDecoder.Decode(path);
        return new ScoredFile(row, report, Fingerprinter.Compute(report));
    }
}

/// <summary>
/// Pairwise precision and recall of fingerprints against ground-truth groups, the same code for every set. Every
/// pair of files is a true positive (same group, same hash), false negative, false positive or true negative. A
/// different-bug pair is a hard negative when the two reports name the same culprit (other than the kernel) or
/// their message templates open with the same words: the pairs a looser fingerprint would merge first.
/// </summary>
internal sealed class PairwiseScore
{
    private const int OpeningWords = 5;

    private PairwiseScore(int files) => Files = files;

    public int Files { get; }
    public int TruePositives { get; private set; }
    public int FalseNegatives { get; private set; }
    public int FalsePositives { get; private set; }
    public int TrueNegatives { get; private set; }
    public int HardNegatives { get; private set; }
    public int HardFalsePositives { get; private set; }
    public List<string> Lines { get; } = [];

    public int SameBugPairs => TruePositives + FalseNegatives;
    public int Pairs => TruePositives + FalseNegatives + FalsePositives + TrueNegatives;
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => SameBugPairs == 0 ? 0 : (double)TruePositives / SameBugPairs;

    public static PairwiseScore Of(IReadOnlyList<ScoredFile> files)
    {
        var score = new PairwiseScore(files.Count);
        var openings = files.Select(f => Opening(MessageTemplate.Normalize(f.Report.PanicMessage))).ToList();
        for (var i = 0; i < files.Count; i++)
        {
            for (var j = i + 1; j < files.Count; j++)
            {
                score.Count(files[i], files[j], openings[i], openings[j]);
            }
        }

        return score;
    }

    /// <summary>The figures on one line, for test output and the README.</summary>
    public string Summary() =>
        $"{Files} files, {Pairs} pairs ({SameBugPairs} same-bug, {HardNegatives} hard negatives): TP {TruePositives} FN {FalseNegatives} "
        + $"FP {FalsePositives} (hard {HardFalsePositives}) TN {TrueNegatives}; precision {Precision:F4} recall {Recall:F4}";

    /// <summary>Pair lines, misses first, each miss with both signatures.</summary>
    public IEnumerable<string> PairLines() =>
        Lines.OrderBy(l => l[..2] switch { "FP" => 0, "FN" => 1, "TP" => 2, _ => 3 }, Comparer<int>.Default);

    private void Count(ScoredFile a, ScoredFile b, string templateA, string templateB)
    {
        var sameGroup = a.Row.GroupId == b.Row.GroupId;
        var sameHash = a.Fingerprint.Hash == b.Fingerprint.Hash;
        var hard = !sameGroup && IsHard(a.Report, b.Report, templateA, templateB);
        HardNegatives += hard ? 1 : 0;
        string outcome;
        if (sameGroup)
        {
            outcome = sameHash ? "TP" : "FN";
            TruePositives += sameHash ? 1 : 0;
            FalseNegatives += sameHash ? 0 : 1;
        }
        else
        {
            outcome = sameHash ? "FP" : "TN";
            FalsePositives += sameHash ? 1 : 0;
            HardFalsePositives += sameHash && hard ? 1 : 0;
            TrueNegatives += sameHash ? 0 : 1;
        }

        Lines.Add($"{outcome}{(hard ? "*" : " ")} {a.Row.GroupId,-6} {b.Row.GroupId,-6} {Short(a.Row.File)} {Short(b.Row.File)}"
            + (outcome is "FN" or "FP" ? $"\n     {a.Fingerprint.Signature}\n     {b.Fingerprint.Signature}" : string.Empty));
    }

    private static bool IsHard(PanicReport a, PanicReport b, string templateA, string templateB) =>
        (a.Culprit is { } culprit && culprit != "kernel" && culprit == b.Culprit) || (templateA.Length > 0 && templateA == templateB);

    /// <summary>The first words of a template: "Sleep transition timed out after #" whatever bundle follows.</summary>
    private static string Opening(string template)
    {
        var words = template.Split(' ', OpeningWords + 1, StringSplitOptions.RemoveEmptyEntries);
        return words.Length < OpeningWords ? template : string.Join(' ', words.Take(OpeningWords));
    }

    private static string Short(string file) => file.Length <= 40 ? file : file[..40];
}
