using Microsoft.Extensions.Options;

namespace KDumpCloud.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/> at start, so a mistyped setting stops the host with its name rather
/// than failing deep inside the exporter or the sampler.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add("Telemetry:OtlpEndpoint must be an absolute http(s) URL, for example http://127.0.0.1:4317.");
        }

        if (!TelemetryOptions.OtlpProtocols.Contains(options.OtlpProtocol, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Telemetry:OtlpProtocol must be {string.Join(" or ", TelemetryOptions.OtlpProtocols)}.");
        }

        if (!(options.SamplingRatio is >= 0 and <= 1))
        {
            failures.Add("Telemetry:SamplingRatio must be between 0 and 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
