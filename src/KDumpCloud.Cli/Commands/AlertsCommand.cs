using System.Collections;
using System.CommandLine;
using KDumpCloud.Ingest.Alerts;
using KDumpCloud.Ingest.Alerts.Delivery;
using KDumpCloud.Ingest.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// <c>kdumpcloud alerts test</c>: sends a sample alert (plainly marked a test) to every sink configured under
/// <c>Alerts:Webhooks</c> (environment <c>Alerts__Webhooks__0__Kind</c>, …, and/or <c>--settings FILE</c>, e.g. the
/// relay's appsettings.json), through the same formats and Polly pipeline as the real alerts, and prints what each
/// answered, never the URL. Exit codes: 0 every sink took it, 1 a sink did not, 2 no sink configured or a setting
/// that cannot work.
/// </summary>
internal static class AlertsCommand
{
    public static Command Create(IDictionary? environment = null)
    {
        var settings = new Option<FileInfo?>("--settings")
        {
            Description = "A JSON settings file with an Alerts section (the relay's appsettings.json, or a file of secrets); the environment's Alerts__* settings are read too, and win.",
        };
        var test = new Command("test", "Send a sample alert to every configured webhook and say what each answered.") { settings };
        test.SetAction((result, cancellationToken) => TestAsync(result.GetValue(settings), environment ?? Environment.GetEnvironmentVariables(),
            result.InvocationConfiguration.Output, cancellationToken));
        var command = new Command("alerts", "Chat alerts (Slack, Teams, Discord, JSON webhooks).");
        command.Subcommands.Add(test);
        return command;
    }

    private static async Task<int> TestAsync(FileInfo? settings, IDictionary environment, TextWriter output, CancellationToken cancellationToken)
    {
        var builder = new ConfigurationBuilder();
        if (settings is not null)
        {
            if (!settings.Exists)
            {
                await output.WriteLineAsync($"kdumpcloud alerts test: {settings.FullName} does not exist");
                return 2;
            }

            builder.AddJsonFile(settings.FullName, optional: false);
        }

        builder.AddConfiguration(EnvironmentConfiguration.From(environment));
        var configuration = builder.Build();
        if (!AlertServiceCollectionExtensions.AlertsConfigured(configuration))
        {
            await output.WriteLineAsync("kdumpcloud alerts test: no webhook configured (set Alerts__Webhooks__0__Kind and Alerts__Webhooks__0__Url, or pass --settings FILE)");
            return 2;
        }

        await using var provider = new ServiceCollection().AddLogging().AddKDumpAlerts(configuration).AddSingleton<Ingest.Ports.IAlertOutbox, NoOutbox>()
            .BuildServiceProvider();
        AlertDispatcher dispatcher;
        try
        {
            _ = provider.GetRequiredService<IOptions<AlertOptions>>().Value;
            dispatcher = provider.GetRequiredService<AlertDispatcher>();
        }
        catch (OptionsValidationException error)
        {
            await output.WriteLineAsync($"kdumpcloud alerts test: {error.Message}");
            return 2;
        }

        var results = await Task.WhenAll(dispatcher.Sinks.Select(async sink => (sink, await dispatcher.SendTestAsync(sink, cancellationToken))));
        foreach (var (sink, result) in results)
        {
            var verdict = result.Outcome switch
            {
                DeliveryOutcome.Delivered => "ok",
                DeliveryOutcome.Rejected => "REFUSED (check the URL and the kind)",
                _ => "FAILED (not reachable or failing now)",
            };
            await output.WriteLineAsync($"{sink.Display}: {verdict}: {result.Detail}");
        }

        return results.All(r => r.Item2.Outcome == DeliveryOutcome.Delivered) ? 0 : 1;
    }

    /// <summary>A test alert is not recorded anywhere.</summary>
    private sealed class NoOutbox : Ingest.Ports.IAlertOutbox
    {
        public Task<IReadOnlyList<AlertNotice>> ListAlertsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AlertNotice>>([]);

        public Task<IReadOnlyList<AlertDelivery>> ListDeliveriesAsync(string sinkId, DateTimeOffset since, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AlertDelivery>>([]);

        public Task SaveDeliveriesAsync(string sinkId, IReadOnlyList<AlertDelivery> deliveries, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
