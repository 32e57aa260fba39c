using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Support;

/// <summary>Member data for corpus theories: every file name, or nothing when the corpus is absent (the theory is skipped).</summary>
public static class CorpusFiles
{
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        if (Corpus.Root is not null)
        {
            foreach (var file in Corpus.PanicFiles())
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }
}
