namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// The link an alert carries: <c>{Dashboard:PublicUrl}/groups/{fingerprint}</c> when the dashboard's public address
/// is set, else <see cref="AlertOptions.LinkTemplate"/> with its placeholders filled in, else none.
/// </summary>
public sealed class AlertLinks(AlertOptions options)
{
    private readonly string? _dashboard = options.DashboardUrl is { Length: > 0 } url ? url.TrimEnd('/') : null;
    private readonly string? _template = options.LinkTemplate is { Length: > 0 } template ? template : null;

    /// <summary>The link for one alert's group, or null.</summary>
    public Uri? For(AlertNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (_dashboard is not null)
        {
            return new Uri($"{_dashboard}/groups/{Uri.EscapeDataString(notice.Fingerprint)}");
        }

        return _template is null
            ? null
            : new Uri(_template
                .Replace("{fingerprint}", Uri.EscapeDataString(notice.Fingerprint), StringComparison.Ordinal)
                .Replace("{dumpId}", notice.DumpId.ToString("D"), StringComparison.Ordinal)
                .Replace("{fileName}", Uri.EscapeDataString(notice.FileName), StringComparison.Ordinal));
    }

    /// <summary>The dashboard's group list for a digest, or null.</summary>
    public Uri? ForDigest() => _dashboard is null ? null : new Uri(_dashboard + "/");

    /// <summary>Whether <paramref name="template"/> makes an absolute http(s) URL once its placeholders are filled.</summary>
    public static bool IsUsableTemplate(string template)
    {
        var sample = template.Replace("{fingerprint}", "f", StringComparison.Ordinal).Replace("{dumpId}", "d", StringComparison.Ordinal)
            .Replace("{fileName}", "n", StringComparison.Ordinal);
        return Uri.TryCreate(sample, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
    }
}
