using System.Collections;
using System.CommandLine;
using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Cli.Commands;

/// <summary>
/// <c>kdumpcloud crashes</c>: lists crash groups, shows one with its occurrences, sets a group's status and merges two
/// groups, on the store <see cref="CrashStoreFactory"/> picks. Exit codes: 0 done, 1 no such group or a change the
/// store refused (a merged group), 2 no store.
/// </summary>
internal static class CrashesCommand
{
    private const string Description =
        "List and manage crash groups: one group per bug (per fingerprint), with its count, Macs, OS builds and status.\n" +
        "Without a subcommand it lists groups, newest first. A group ID may be given by a unique prefix.\n\n" +
        "Which store:\n" +
        "  --data-directory DIR       the embedded relay's crashes.db in DIR (always, when given).\n" +
        "  KDumpStorage set           otherwise, Azure Table Storage, configured from the environment as the Function is:\n" +
        "                             KDumpStorage=<connection string>, or KDumpStorage__tableServiceUri and __blobServiceUri\n" +
        "                             (https://ACCOUNT.table.core.windows.net …; DefaultAzureCredential, KDumpStorage__clientId for a\n" +
        "                             user-assigned identity);\n" +
        "                             tables Ingest__Azure__GroupsTable and Ingest__Azure__OccurrencesTable (crashgroups, occurrences).\n" +
        $"  neither                    the embedded relay's crashes.db in {CrashStoreFactory.DefaultDataDirectory} (the relay's default) in the working directory.\n\n" +
        "Examples:\n" +
        "  kdumpcloud crashes\n" +
        "  kdumpcloud crashes --sort frequent --limit 10 --json\n" +
        "  kdumpcloud crashes show 3f2a9c1b\n" +
        "  kdumpcloud crashes resolve 3f2a9c1b\n" +
        "  kdumpcloud crashes merge 3f2a9c1b 77d0e4aa      (77d0e4aa's occurrences, now and later, count in 3f2a9c1b)\n" +
        "  kdumpcloud crashes regroup                      (after an upgrade that changed the fingerprint: see the plan)\n" +
        "  kdumpcloud crashes regroup --apply\n\n" +
        "Exit codes: 0 done, 1 no such group or a change refused (e.g. the group is merged), 2 no crash store.";

    /// <param name="environment">Where <c>KDumpStorage</c> and the <c>Ingest</c> settings are read; the process
    /// environment when null (tests pass their own).</param>
    public static Command Create(IDictionary? environment = null)
    {
        var dataDirectory = new Option<string?>("--data-directory")
        {
            Description = "The relay's data directory (Relay:DataDirectory) holding crashes.db. Default: Azure Table Storage when KDumpStorage " +
                $"is set, else {CrashStoreFactory.DefaultDataDirectory}.",
            HelpName = "dir",
            Recursive = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "One JSON object per group per line: fingerprint, signature, kind, culprit, status, count, machines (distinct Macs), " +
                "osBuilds, kernels, firstSeen, lastSeen; show adds occurrences.",
            Recursive = true,
        };
        var sort = new Option<string>("--sort") { Description = "newest (last seen first) or frequent (highest count first).", DefaultValueFactory = _ => "newest" };
        sort.AcceptOnlyFromAmong("newest", "frequent");
        var limit = new Option<int>("--limit") { Description = "Most groups listed.", DefaultValueFactory = _ => 50 };

        var command = new Command("crashes", Description) { dataDirectory, json, sort, limit };
        command.SetAction((result, cancellationToken) => WithStoreAsync(result, dataDirectory, environment, (store, output) =>
            ListAsync(store, result.GetValue(sort) == "frequent" ? GroupOrder.MostFrequent : GroupOrder.Newest, result.GetValue(limit),
                result.GetValue(json), output, cancellationToken)));

        command.Subcommands.Add(Show(dataDirectory, json, environment));
        command.Subcommands.Add(SetStatus("resolve", GroupStatus.Resolved, "Mark a group resolved (fixed): seeing it again is a regression and reopens it.", dataDirectory, json, environment));
        command.Subcommands.Add(SetStatus("ignore", GroupStatus.Ignored, "Mark a group ignored: still counted, never reported as new or regressed.", dataDirectory, json, environment));
        command.Subcommands.Add(SetStatus("reopen", GroupStatus.Open, "Mark a resolved or ignored group open again.", dataDirectory, json, environment));
        command.Subcommands.Add(Merge(dataDirectory, json, environment));
        command.Subcommands.Add(Regroup(dataDirectory, environment));
        return command;
    }

    private static Command Regroup(Option<string?> dataDirectory, IDictionary? environment)
    {
        var apply = new Option<bool>("--apply") { Description = "Write the regrouping. Without it, only show what it would do (a dry run)." };
        var command = new Command("regroup",
            $"Regroup every occurrence under this version's fingerprint ({Panics.Fingerprinting.Fingerprinter.Version}): decode each again from " +
            "the panic text kept with it (or its dump, while it is kept), map the old groups onto the new ones, keep their statuses (a " +
            "resolved crash stays resolved) and the merges people made, and point each old group at the new group that took its " +
            "occurrences, so old links still work. Nothing alerts. Dry run unless --apply; stop ingest (the relay, the Function or " +
            "`kdumpcloud ingest`) while applying, and run it again if anything was recorded meanwhile.") { apply };
        command.SetAction((result, cancellationToken) => WithChoiceAsync(result, dataDirectory, environment, async (choice, output) =>
        {
            var applying = result.GetValue(apply);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var summary = await choice.Regrouper!.RegroupAsync(applying, cancellationToken);
            await output.WriteAsync(CrashesOutput.RegroupText(summary, applying, clock.Elapsed));
            return 0;
        }));
        return command;
    }

    private static Command Show(Option<string?> dataDirectory, Option<bool> json, IDictionary? environment)
    {
        var id = GroupIdArgument("id", "The group's ID (its fingerprint), or a unique prefix of it.");
        var limit = new Option<int>("--limit") { Description = "Most occurrences shown, newest first.", DefaultValueFactory = _ => 20 };
        var command = new Command("show", "Show a group and its occurrences (each dump: when, which Mac, OS build, complete or not).") { id, limit };
        command.SetAction((result, cancellationToken) => WithStoreAsync(result, dataDirectory, environment, async (store, output) =>
        {
            var group = await FindAsync(store, result.GetValue(id)!, result, cancellationToken);
            if (group is null)
            {
                return 1;
            }

            var occurrences = await store.ListOccurrencesAsync(group.Id, Math.Max(0, result.GetValue(limit)), cancellationToken);
            await output.WriteAsync(result.GetValue(json) ? CrashesOutput.GroupJson(group, occurrences) + "\n" : CrashesOutput.GroupText(group, occurrences));
            return 0;
        }));
        return command;
    }

    private static Command SetStatus(string name, GroupStatus status, string description, Option<string?> dataDirectory, Option<bool> json,
        IDictionary? environment)
    {
        var id = GroupIdArgument("id", "The group's ID, or a unique prefix of it.");
        var command = new Command(name, description) { id };
        command.SetAction((result, cancellationToken) => WithStoreAsync(result, dataDirectory, environment, async (store, output) =>
        {
            var group = await FindAsync(store, result.GetValue(id)!, result, cancellationToken);
            if (group is null)
            {
                return 1;
            }

            try
            {
                var changed = await store.SetStatusAsync(group.Id, status, cancellationToken);
                if (changed is null)
                {
                    return await FailAsync(result, 1, $"there is no group {group.Id}");
                }

                await output.WriteLineAsync(result.GetValue(json)
                    ? CrashesOutput.GroupJson(changed, null)
                    : $"{CrashesOutput.StatusName(changed.Status)}  {changed.Id}  {changed.Signature}");
                return 0;
            }
            catch (InvalidOperationException refused)
            {
                return await FailAsync(result, 1, refused.Message);
            }
        }));
        return command;
    }

    private static Command Merge(Option<string?> dataDirectory, Option<bool> json, IDictionary? environment)
    {
        var into = GroupIdArgument("into", "The group that stays (ID or unique prefix).");
        var from = GroupIdArgument("from", "The group merged into it (ID or unique prefix); its later occurrences count in INTO.");
        var command = new Command("merge", "Merge two groups a person knows are the same bug: FROM's counts, Macs and builds fold into INTO, " +
            "and later occurrences of either fingerprint count in INTO.") { into, from };
        command.SetAction((result, cancellationToken) => WithStoreAsync(result, dataDirectory, environment, async (store, output) =>
        {
            var survivor = await FindAsync(store, result.GetValue(into)!, result, cancellationToken);
            var absorbed = survivor is null ? null : await FindAsync(store, result.GetValue(from)!, result, cancellationToken);
            if (survivor is null || absorbed is null)
            {
                return 1;
            }

            try
            {
                var merged = await store.MergeAsync(survivor.Id, absorbed.Id, cancellationToken);
                await output.WriteLineAsync(result.GetValue(json)
                    ? CrashesOutput.GroupJson(merged, null)
                    : $"merged {absorbed.Id} into {merged.Id}: count {merged.Count}, {merged.Machines.Count} Macs  {merged.Signature}");
                return 0;
            }
            catch (InvalidOperationException refused)
            {
                return await FailAsync(result, 1, refused.Message);
            }
        }));
        return command;
    }

    private static async Task<int> ListAsync(ICrashStore store, GroupOrder order, int limit, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var groups = await store.ListGroupsAsync(order, Math.Max(0, limit), cancellationToken);
        if (json)
        {
            foreach (var group in groups)
            {
                await output.WriteAsync(CrashesOutput.GroupJson(group, null) + "\n");
            }
        }
        else
        {
            await output.WriteAsync(CrashesOutput.ListText(groups));
        }

        return 0;
    }

    /// <summary>The group <paramref name="id"/> names exactly, or the one listed group it is a unique prefix of;
    /// reports and returns null otherwise.</summary>
    private static async Task<CrashGroup?> FindAsync(ICrashStore store, string id, ParseResult result, CancellationToken cancellationToken)
    {
        if (await store.FindGroupAsync(id, cancellationToken) is { } exact)
        {
            return exact;
        }

        var candidates = id.Length == 0
            ? []
            : (await store.ListGroupsAsync(GroupOrder.Newest, MaxPrefixCandidates, cancellationToken))
                .Where(group => group.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        await FailAsync(result, 1, candidates.Count == 0
            ? $"there is no group {id} (kdumpcloud crashes lists them)"
            : $"{id} is the start of more than one group's ID; give more of it");
        return null;
    }

    /// <summary>Prefixes are looked up among at most this many groups; a full ID always works.</summary>
    private const int MaxPrefixCandidates = 100_000;

    private static Argument<string> GroupIdArgument(string name, string description) => new(name) { Description = description };

    private static Task<int> WithStoreAsync(ParseResult result, Option<string?> dataDirectory, IDictionary? environment,
        Func<ICrashStore, TextWriter, Task<int>> work) =>
        WithChoiceAsync(result, dataDirectory, environment, (choice, output) => work(choice.Store!, output));

    private static async Task<int> WithChoiceAsync(ParseResult result, Option<string?> dataDirectory, IDictionary? environment,
        Func<StoreChoice, TextWriter, Task<int>> work)
    {
        await using var choice = CrashStoreFactory.OpenExisting(result.GetValue(dataDirectory), environment ?? Environment.GetEnvironmentVariables());
        if (choice.Store is null)
        {
            return await FailAsync(result, 2, choice.Problem!);
        }

        return await work(choice, result.InvocationConfiguration.Output);
    }

    private static async Task<int> FailAsync(ParseResult result, int exitCode, string problem)
    {
        await result.InvocationConfiguration.Error.WriteLineAsync($"kdumpcloud crashes: {problem}");
        return exitCode;
    }
}
