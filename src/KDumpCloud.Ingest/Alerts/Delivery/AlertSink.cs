using System.Security.Cryptography;
using System.Text;
using KDumpCloud.Ingest.Alerts.Formats;

namespace KDumpCloud.Ingest.Alerts.Delivery;

/// <summary>
/// One configured webhook: where it is (a secret), its format and filter, and how it is named in logs: its kind, the
/// URL's host and a short hash of the whole URL (<see cref="Display"/>), never the URL itself.
/// </summary>
public sealed class AlertSink
{
    public AlertSink(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!AlertSinkKinds.TryParse(options.Kind, out var kind))
        {
            throw new ArgumentException($"'{options.Kind}' is not a sink kind", nameof(options));
        }

        Url = new Uri(options.Url ?? throw new ArgumentException("a webhook needs a Url", nameof(options)));
        Kind = kind;
        Format = AlertFormats.For(kind);
        Filter = AlertSinkFilter.TryParse(options.Events, out var filter) ? filter : AlertSinkFilter.All;
        Secret = string.IsNullOrEmpty(options.Secret) ? null : Encoding.UTF8.GetBytes(options.Secret);

        // The id keys the sink's delivery records: the same URL and kind are the same sink across restarts.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}|{Url.AbsoluteUri}")));
        Id = hash[..16];
        Display = $"{options.Name ?? kind.ToString().ToLowerInvariant()} ({Url.Host} #{hash[..6]})";
    }

    /// <summary>Stable id from the kind and URL (a hash: it reveals neither).</summary>
    public string Id { get; }

    /// <summary>For logs and <c>alerts test</c>: name or kind, host, and a short hash of the URL.</summary>
    public string Display { get; }

    public AlertSinkKind Kind { get; }

    public IAlertFormat Format { get; }

    public AlertSinkFilter Filter { get; }

    internal Uri Url { get; }

    internal byte[]? Secret { get; }

    public override string ToString() => Display;
}
