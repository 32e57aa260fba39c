using Microsoft.Extensions.Options;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>The DataAnnotations checks of <see cref="AlertOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class AlertOptionsAnnotationsValidator : IValidateOptions<AlertOptions>;

/// <summary>What annotations cannot say: each webhook's kind, URL and events, the link settings, and the order of the
/// intervals. Messages name the setting and never print a URL (it is a secret).</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var key = $"Alerts:Webhooks:{i}";
            if (!AlertSinkKinds.TryParse(hook.Kind, out _))
            {
                failures.Add($"{key}:Kind is '{hook.Kind}'; expected slack, teams, discord or json.");
            }

            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{key}:Url is missing or not an http(s) URL.");
            }

            if (hook.Events is not null && !AlertSinkFilter.TryParse(hook.Events, out _))
            {
                failures.Add($"{key}:Events '{hook.Events}' is not a comma-separated list of new, regression, spike, digest.");
            }
        }

        if (options.LinkTemplate is { Length: > 0 } template && !AlertLinks.IsUsableTemplate(template))
        {
            failures.Add("Alerts:LinkTemplate must be an absolute http(s) URL, optionally with {fingerprint}, {dumpId} or {fileName}.");
        }

        if (options.DashboardUrl is { Length: > 0 } dashboard && !AlertLinks.IsUsableTemplate(dashboard))
        {
            failures.Add("Dashboard:PublicUrl must be an absolute http(s) URL.");
        }

        if (options.GroupInterval >= options.MaxAge)
        {
            failures.Add("Alerts:GroupInterval must be shorter than Alerts:MaxAge.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
