using KDumpCloud.Dashboard.Reading;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Dashboard.Hosting;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// The dashboard's pages, API and services, its options (section <c>Dashboard</c>, validated at start) and
    /// anti-forgery for its forms. The host registers the store it reads: <c>ICrashStore</c> and <c>ICrashQueries</c>
    /// (and <c>IDumpReader</c> for dump downloads) — the relay its SQLite store and spool, the Azure app
    /// <c>AddKDumpIngest</c> with <c>KDumpStorage</c>. Map the endpoints with
    /// <see cref="DashboardEndpointRouteBuilderExtensions.MapKDumpDashboard"/>.
    /// </summary>
    public static IServiceCollection AddKDumpDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DashboardReader>();
        services.TryAddSingleton<DashboardActions>();

        var assembly = typeof(DashboardServiceCollectionExtensions).Assembly;
        services.AddRazorPages(pages => pages.Conventions.ConfigureFilter(new SecurityHeadersPageFilter()))
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages live in this library, not in the host's entry assembly: add them once.
                if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(part => part.Assembly == assembly))
                {
                    parts.ApplicationParts.Add(new AssemblyPart(assembly));
                }
            });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "kdumpcloud-antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.FormFieldName = "__antiforgery";
        });
        return services;
    }
}
