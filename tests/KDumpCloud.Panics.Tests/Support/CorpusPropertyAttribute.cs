using FsCheck.Xunit;
using KDumpCloud.TestSupport;

namespace KDumpCloud.Panics.Tests.Support;

/// <summary>An FsCheck property over corpus logs; skipped with the path it looked at when the corpus is absent.</summary>
public sealed class CorpusPropertyAttribute : PropertyAttribute
{
    public CorpusPropertyAttribute()
    {
        if (Corpus.Root is null)
        {
            Skip = "corpus not found at " + Corpus.ExpectedLocation;
        }
    }
}
