using KDumpCloud.Ingest.Model;
using KDumpCloud.Ingest.Ports;

namespace KDumpCloud.Dashboard.Reading;

/// <summary>
/// What a person changes from the dashboard: the operations of <c>kdumpcloud crashes resolve|ignore|reopen|merge</c>,
/// on the same <see cref="ICrashStore"/> methods, so the rules (a merged group cannot change, a merge is one hop, a
/// resolved group seen again regresses) are the core's.
/// </summary>
public sealed class DashboardActions(ICrashStore store)
{
    /// <summary>Sets <paramref name="fingerprint"/>'s status; the outcome says why not when it did not.</summary>
    public async Task<ActionOutcome> SetStatusAsync(string fingerprint, GroupStatus status, CancellationToken cancellationToken)
    {
        if (status == GroupStatus.Merged)
        {
            return ActionOutcome.Refused("merge a group with the merge form");
        }

        if (!DashboardReader.IsPlausible(fingerprint))
        {
            return ActionOutcome.Missing(fingerprint);
        }

        try
        {
            var changed = await store.SetStatusAsync(fingerprint, status, cancellationToken).ConfigureAwait(false);
            return changed is null ? ActionOutcome.Missing(fingerprint) : ActionOutcome.Done($"marked {status.ToString().ToLowerInvariant()}", changed.Id);
        }
        catch (InvalidOperationException error)
        {
            return ActionOutcome.Refused(error.Message);
        }
    }

    /// <summary>Merges <paramref name="fromFingerprint"/> into <paramref name="intoFingerprint"/> (the latter survives).</summary>
    public async Task<ActionOutcome> MergeAsync(string intoFingerprint, string? fromFingerprint, CancellationToken cancellationToken)
    {
        var from = fromFingerprint?.Trim();
        if (!DashboardReader.IsPlausible(intoFingerprint))
        {
            return ActionOutcome.Missing(intoFingerprint);
        }

        if (!DashboardReader.IsPlausible(from))
        {
            return ActionOutcome.Refused("name the group to merge in by its fingerprint");
        }

        try
        {
            var survivor = await store.MergeAsync(intoFingerprint, from!, cancellationToken).ConfigureAwait(false);
            return ActionOutcome.Done($"merged {from} into this group", survivor.Id);
        }
        catch (InvalidOperationException error)
        {
            return ActionOutcome.Refused(error.Message);
        }
    }
}

/// <summary>How an action went: done (with the group to show), refused (with why), or no such group.</summary>
public sealed record ActionOutcome(ActionStatus Result, string Message, string? GroupId)
{
    public static ActionOutcome Done(string message, string groupId) => new(ActionStatus.Done, message, groupId);

    public static ActionOutcome Refused(string message) => new(ActionStatus.Refused, message, null);

    public static ActionOutcome Missing(string? fingerprint) => new(ActionStatus.Missing, $"there is no group {fingerprint}", null);
}

public enum ActionStatus
{
    Done,
    Refused,
    Missing,
}
