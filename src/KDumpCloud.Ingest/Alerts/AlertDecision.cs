using KDumpCloud.Ingest.Model;

namespace KDumpCloud.Ingest.Alerts;

/// <summary>
/// The decision to alert, taken when an occurrence is recorded and stored with it (the outbox): a new group and a
/// regression alert, and so does the occurrence that brings a group's count within the spike window to exactly
/// <see cref="AlertOptions.SpikeCount"/>; every other occurrence only counts. Ignored groups never alert. Pure: the
/// stores supply the count in the window.
/// </summary>
public sealed class AlertDecision(AlertOptions options)
{
    /// <summary>Whether deciding for <paramref name="result"/> needs the group's count in the spike window (only a
    /// repeat can be a spike).</summary>
    public bool NeedsWindowCount(RecordResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return options.SpikeCount > 0 && result.Outcome == IngestOutcome.Repeat && result.Group.Status != GroupStatus.Ignored;
    }

    /// <summary>Counting a window further than this tells nothing more (a spike is the count reaching the threshold).</summary>
    public int WindowCountLimit => options.SpikeCount + 1;

    /// <summary>The start of the spike window for an occurrence received at <paramref name="receivedAt"/>: the
    /// window is (start, receivedAt], and occurrences received later but recorded first count too.</summary>
    public DateTimeOffset WindowStart(DateTimeOffset receivedAt) => receivedAt - options.SpikeWindow;

    /// <summary>The alert to record for <paramref name="result"/>, or null. <paramref name="inWindow"/> is the number
    /// of the group's occurrences received since the window start, this one included (0 when
    /// <see cref="NeedsWindowCount"/> is false).</summary>
    public AlertNotice? Decide(RecordResult result, int inWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Group.Status == GroupStatus.Ignored)
        {
            return null;
        }

        AlertEvent? alertEvent = result.Outcome switch
        {
            IngestOutcome.NewGroup => AlertEvent.New,
            IngestOutcome.Regression => AlertEvent.Regression,
            _ when NeedsWindowCount(result) && inWindow == options.SpikeCount => AlertEvent.Spike,
            _ => null,
        };
        return alertEvent is { } chosen
            ? AlertNotice.From(result, chosen, now, options.MaxPanicMessageChars,
                chosen == AlertEvent.Spike ? inWindow : null, chosen == AlertEvent.Spike ? options.SpikeWindow : null)
            : null;
    }
}
