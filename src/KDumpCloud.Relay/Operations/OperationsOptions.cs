using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Relay.Operations;

/// <summary>
/// The relay's operations endpoint, section <c>Operations</c>: liveness (<c>/health/live</c>), readiness
/// (<c>/health/ready</c>) and, with <c>Telemetry:Prometheus</c>, the Prometheus scrape endpoint (<c>/metrics</c>), on
/// a small HTTP listener of its own beside the UDP listener.
/// </summary>
public sealed class OperationsOptions
{
    public const string SectionName = "Operations";

    /// <summary>The default address: loopback only, so health and metrics leave the machine only when configured to.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9464";

    /// <summary>Whether the relay serves the operations endpoint. Off, readiness is still checked (systemd is told
    /// when the relay is ready, the dashboard shows it); only the HTTP endpoint is gone.</summary>
    /// <value>true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the operations endpoint listens (Kestrel URL; port 0 takes any free port). It has no sign-in:
    /// anyone who can reach it reads the relay's health (spool path, free space, storage endpoints) and metrics.</summary>
    /// <value><c>http://127.0.0.1:9464</c> (9464 is the port OpenTelemetry's Prometheus exporter uses).</value>
    [Required]
    public string Url { get; set; } = DefaultUrl;
}

/// <summary>The DataAnnotations checks, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class OperationsOptionsAnnotationsValidator : IValidateOptions<OperationsOptions>;

/// <summary>The operations address must be a plain http(s) URL Kestrel can listen on.</summary>
internal sealed class OperationsOptionsValidator : IValidateOptions<OperationsOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsOptions options) =>
        Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.AbsolutePath == "/"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Operations:Url must be an http or https URL with no path, like {OperationsOptions.DefaultUrl}; it is '{options.Url}'");
}
