using System.ComponentModel.DataAnnotations;

namespace KDumpCloud.Ingest.Azure;

/// <summary>Where the Azure adapters read and write, bound from the <c>Ingest:Azure</c> section. Used only when
/// <c>KDumpStorage</c> (and, for the topic, <c>ServiceBus</c>) is configured.</summary>
public sealed class AzureIngestOptions
{
    public const string SectionName = "Ingest:Azure";

    private const string ContainerName = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";
    private const string TableName = "^[A-Za-z][A-Za-z0-9]{2,62}$";

    /// <summary>The blob container the relay uploads dumps to (its <c>Upload:Container</c>); messages naming a blob
    /// anywhere else are refused.</summary>
    /// <value><c>dumps</c>.</value>
    [Required]
    [RegularExpression(ContainerName, ErrorMessage = "Ingest:Azure:DumpContainer must be a blob container name: 3 to 63 lower-case letters, digits and single hyphens.")]
    public string DumpContainer { get; set; } = "dumps";

    /// <summary>The table of crash groups.</summary>
    /// <value><c>crashgroups</c>.</value>
    [Required]
    [RegularExpression(TableName, ErrorMessage = "Ingest:Azure:GroupsTable must be a table name: a letter, then 2 to 62 letters or digits.")]
    public string GroupsTable { get; set; } = "crashgroups";

    /// <summary>The table of occurrences.</summary>
    /// <value><c>occurrences</c>.</value>
    [Required]
    [RegularExpression(TableName, ErrorMessage = "Ingest:Azure:OccurrencesTable must be a table name: a letter, then 2 to 62 letters or digits.")]
    public string OccurrencesTable { get; set; } = "occurrences";

    /// <summary>The alert outbox: alerts decided at recording and their delivery per sink (used when
    /// <c>Alerts:Webhooks</c> is configured).</summary>
    /// <value><c>alerts</c>.</value>
    [Required]
    [RegularExpression(TableName, ErrorMessage = "Ingest:Azure:AlertsTable must be a table name: a letter, then 2 to 62 letters or digits.")]
    public string AlertsTable { get; set; } = "alerts";

    /// <summary>The Service Bus topic crash reports are sent to (it should have duplicate detection on).</summary>
    /// <value><c>crash-reports</c>.</value>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._/-]{0,259}$", ErrorMessage = "Ingest:Azure:ReportTopic must be a topic name: up to 260 letters, digits, '.', '_', '-' and '/'.")]
    public string ReportTopic { get; set; } = "crash-reports";

}
