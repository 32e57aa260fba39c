namespace KDumpCloud.Panics.Model;

/// <summary>How the panic text reached us (panic-formats.md section 0).</summary>
public enum PanicContainer
{
    Text,
    JsonPanic,
    KdumpPanicLog,
    CoreGzip,
    CoreMachO,
}
