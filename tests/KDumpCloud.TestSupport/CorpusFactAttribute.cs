namespace KDumpCloud.TestSupport;

/// <summary>A fact that needs the shared corpus; skipped with the path it looked at when the corpus is absent.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (Corpus.Root is null)
        {
            Skip = "corpus not found at " + Corpus.ExpectedLocation;
        }
    }
}

/// <summary>A theory over corpus files; skipped with the path it looked at when the corpus is absent.</summary>
public sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute()
    {
        if (Corpus.Root is null)
        {
            Skip = "corpus not found at " + Corpus.ExpectedLocation;
        }
    }
}
