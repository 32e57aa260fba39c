using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Hosting;

/// <summary>The dashboard's settings, section <c>Dashboard</c>: the relay reads <see cref="Enabled"/> and
/// <see cref="Url"/> to host it; the Azure app listens where App Service tells it (<c>ASPNETCORE_URLS</c>/<c>PORT</c>).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>The relay's default address: loopback only, so no one else can see or act until it is exposed on purpose.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8069";

    /// <summary>Whether the relay serves the dashboard (only with its embedded ingest, which keeps the store it reads).</summary>
    /// <value>true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the relay's dashboard listens (Kestrel URL; port 0 takes any free port). Anyone who can reach it
    /// can resolve, ignore, reopen and merge groups: it has no sign-in of its own.</summary>
    /// <value><c>http://127.0.0.1:8069</c>.</value>
    [Required]
    public string Url { get; set; } = DefaultUrl;

    /// <summary>The dashboard's address as people reach it (behind a proxy or in Azure), for links from outside: an
    /// alert links to <c>{PublicUrl}/groups/{fingerprint}</c>.</summary>
    /// <value>None: alerts carry no link.</value>
    public string? PublicUrl { get; set; }

    /// <summary>Groups per page of the list.</summary>
    /// <value>50.</value>
    [Range(1, 500)]
    public int PageSize { get; set; } = 50;

    /// <summary>Most occurrences a group page lists (newest first).</summary>
    /// <value>200.</value>
    [Range(1, 5000)]
    public int MaxOccurrences { get; set; } = 200;
}

/// <summary>The DataAnnotations checks, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class DashboardOptionsValidator : IValidateOptions<DashboardOptions>;
