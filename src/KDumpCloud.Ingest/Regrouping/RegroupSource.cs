namespace KDumpCloud.Ingest.Regrouping;

/// <summary>Where a regrouping took an occurrence's new identity from.</summary>
public enum RegroupSource
{
    /// <summary>Decoded again from the panic text stored with it.</summary>
    StoredText,

    /// <summary>Decoded again from its dump (stored before panic text was kept).</summary>
    Dump,

    /// <summary>Left as it was: a failed ingest, or neither text nor dump is left to decode.</summary>
    Kept,
}
