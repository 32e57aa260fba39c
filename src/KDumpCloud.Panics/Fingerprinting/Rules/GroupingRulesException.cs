namespace KDumpCloud.Panics.Fingerprinting.Rules;

/// <summary>A rules file that cannot be used; <see cref="Line"/> is 1-based, 0 when the file as a whole is at fault.</summary>
public sealed class GroupingRulesException : FormatException
{
    public GroupingRulesException()
    {
    }

    public GroupingRulesException(string message)
        : base(message)
    {
    }

    public GroupingRulesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GroupingRulesException(int line, string message)
        : base(line > 0 ? $"line {line}: {message}" : message) => Line = line;

    public int Line { get; }
}
