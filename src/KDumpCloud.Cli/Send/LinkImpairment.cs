namespace KDumpCloud.Cli.Send;

/// <summary>Seeded loss and duplication between the emulated Mac and the relay. One per transfer; not thread-safe.</summary>
internal sealed class LinkImpairment(double lossProbability, double duplicateProbability, int seed)
{
    private readonly Random _random = new(seed);

    public bool DropsNext() => lossProbability > 0 && _random.NextDouble() < lossProbability;

    public bool DuplicatesNext() => duplicateProbability > 0 && _random.NextDouble() < duplicateProbability;
}
