namespace KDumpCloud.Panics.Tests.Support;

/// <summary>Tests that compare timings run on their own, not beside the rest of the suite on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
