using System.IO.Compression;
using KDumpCloud.Panics.Decoding;
using KDumpCloud.Panics.Model;

namespace KDumpCloud.Panics.Cores;

/// <summary>
/// Finds the panic text and kernel version in a kernel core (issue 3, "Panic text from a core"): a gzip stream
/// (10.11+, itself a Mach-O inside) or a raw Mach-O <c>MH_CORE</c> (older). The core is streamed once through a
/// fixed buffer, so memory stays flat whatever its size; reading stops once both strings are found, or when the bytes or
/// time of <see cref="PanicDecoderOptions"/> are spent. Corrupt, truncated or oversized cores give a result with
/// warnings, not an exception.
/// </summary>
public static class CoreReader
{
    private const int ChunkSize = 256 * 1024;
    private const int PanicTextLimit = 128 * 1024;
    private const int KernelVersionLimit = 512;

    private static ReadOnlySpan<byte> PanicMarker => "panic(cpu "u8;
    private static ReadOnlySpan<byte> KernelVersionMarker => "Darwin Kernel Version "u8;
    private const string KernelVersionNote = "kern ver str";

    /// <summary>True for a gzip stream or a Mach-O file, judged from its first bytes.</summary>
    public static bool LooksLikeCore(ReadOnlySpan<byte> head) =>
        (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) || MachOCoreHeader.IsMachO(head);

    public static CoreExtraction Extract(Stream core, bool stopWhenFound = true) => Extract(core, PanicDecoderOptions.Default, stopWhenFound);

    /// <summary>Reads the core within the bytes and time <paramref name="options"/> allow; a spent budget is a warning.</summary>
    public static CoreExtraction Extract(Stream core, PanicDecoderOptions? options, bool stopWhenFound = true)
    {
        ArgumentNullException.ThrowIfNull(core);
        using var budget = new DecodeBudget(options, CancellationToken.None);
        return Extract(new BudgetedStream(core, budget), budget, stopWhenFound);
    }

    /// <summary>
    /// As <see cref="Extract(Stream, PanicDecoderOptions?, bool)"/>, reading only asynchronously (no thread waits on the
    /// stream). Cancelling <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<CoreExtraction> ExtractAsync(Stream core, PanicDecoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(core);
        using var budget = new DecodeBudget(options, cancellationToken);
        return await ExtractAsync(new BudgetedStream(core, budget), budget, stopWhenFound: true).ConfigureAwait(false);
    }

    /// <summary>Reads a core from a stream that already checks <paramref name="budget"/> on every read.</summary>
    internal static CoreExtraction Extract(Stream core, DecodeBudget budget, bool stopWhenFound)
    {
        var warnings = new List<string>();
        var head = new byte[2];
        var headLength = core.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        var gzip = IsGzip(head.AsSpan(0, headLength));
        using var prefixed = new PrefixedStream(head.AsMemory(0, headLength), core);
        using var content = gzip ? new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true) : (Stream)prefixed;
        var scan = new CoreScan(warnings, budget, stopWhenFound);
        try
        {
            scan.Run(content);
        }
        catch (InvalidDataException e)
        {
            scan.Broken($"core is corrupt after {scan.BytesScanned} bytes ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            scan.Broken($"core ends early after {scan.BytesScanned} bytes");
        }

        return scan.Result(gzip);
    }

    internal static async Task<CoreExtraction> ExtractAsync(Stream core, DecodeBudget budget, bool stopWhenFound)
    {
        var warnings = new List<string>();
        var scan = new CoreScan(warnings, budget, stopWhenFound);
        var gzip = false;
        try
        {
            var head = new byte[2];
            var headLength = await core.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, budget.ReadCancellation).ConfigureAwait(false);
            gzip = IsGzip(head.AsSpan(0, headLength));
            using var prefixed = new PrefixedStream(head.AsMemory(0, headLength), core);
            using var content = gzip ? new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true) : (Stream)prefixed;
            await scan.RunAsync(content).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (budget.IsDeadline(e))
        {
            // A read stalled past the deadline: the budget has recorded it; keep what was found.
        }
        catch (InvalidDataException e)
        {
            scan.Broken($"core is corrupt after {scan.BytesScanned} bytes ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            scan.Broken($"core ends early after {scan.BytesScanned} bytes");
        }

        return scan.Result(gzip);
    }

    private static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>
    /// One pass over the decompressed core: Mach-O notes by file range, panic text and version by marker, stopping when
    /// both are found, at the end, or when the budget is spent (checked every chunk: bytes scanned and time).
    /// </summary>
    private sealed class CoreScan(List<string> warnings, DecodeBudget budget, bool stopWhenFound)
    {
        private static readonly int Overlap = Math.Max(PanicMarker.Length, KernelVersionMarker.Length);
        private readonly byte[] _buffer = new byte[ChunkSize + Overlap];
        private readonly TextCapture _panic = new(PanicTextLimit);
        private readonly TextCapture _version = new(KernelVersionLimit, (byte)'\n');
        private readonly List<(MachONote Note, TextCapture Capture)> _notes = [];
        private int _carry;
        private bool _first = true;

        // With a "kern ver str" note the version comes from it, and memory is scanned for the panic text only.
        private bool _versionFromNote;

        public long BytesScanned { get; private set; }

        public string? PanicText => _notes.FirstOrDefault(n => n.Note.Owner.Contains("panic", StringComparison.OrdinalIgnoreCase) && n.Capture.Length > 0).Capture?.Text
            ?? _panic.Text;

        public string? KernelVersion
        {
            get
            {
                // "kern ver str" payload: uint32 version, then the NUL-terminated string.
                var note = _notes.FirstOrDefault(n => n.Note.Owner == KernelVersionNote && n.Capture.Length > 4).Capture?.Text;
                return note is not null ? note[4..].TrimEnd('\0').Trim() : _version.Text?.Trim();
            }
        }

        public void Run(Stream content)
        {
            while (Consume(content.ReadAtLeast(_buffer.AsSpan(_carry, ChunkSize), ChunkSize, throwOnEndOfStream: false)))
            {
            }
        }

        public async Task RunAsync(Stream content)
        {
            while (Consume(await content.ReadAtLeastAsync(_buffer.AsMemory(_carry, ChunkSize), ChunkSize, throwOnEndOfStream: false, budget.ReadCancellation).ConfigureAwait(false)))
            {
            }
        }

        /// <summary>A read that failed: said unless a spent budget is what cut the stream short.</summary>
        public void Broken(string warning)
        {
            if (budget.Spent is null)
            {
                warnings.Add(warning);
            }
        }

        public CoreExtraction Result(bool gzip)
        {
            if (budget.Spent is { } spent)
            {
                warnings.Add(spent);
            }

            var panicText = PanicText;
            if (panicText is null)
            {
                warnings.Add("no panic text found in the core");
            }

            return new CoreExtraction(gzip ? PanicContainer.CoreGzip : PanicContainer.CoreMachO, panicText, KernelVersion, BytesScanned, warnings);
        }

        /// <summary>Scans the <paramref name="read"/> bytes just read after the carried tail; false when the scan is over.</summary>
        private bool Consume(int read)
        {
            var window = _buffer.AsSpan(0, _carry + read);
            if (_first)
            {
                ReadMachOHeader(window);
                _first = false;
            }

            CaptureNotes(window[_carry..], BytesScanned);
            BytesScanned += read;
            var atEnd = read < ChunkSize;
            ContinueOrFind(_panic, window, _carry, PanicMarker, requireDigit: true);
            if (!_versionFromNote)
            {
                ContinueOrFind(_version, window, _carry, KernelVersionMarker, requireDigit: false);
            }

            if (atEnd || (stopWhenFound && _panic.Complete && VersionComplete()) || !budget.HasCoreBytesLeft(BytesScanned) || !budget.HasTimeLeft())
            {
                return false;
            }

            _carry = Math.Min(Overlap, window.Length);
            window[^_carry..].CopyTo(_buffer);
            return true;
        }

        /// <summary>Checked once per chunk, so no LINQ: allocation must not grow with the core's size.</summary>
        private bool VersionComplete()
        {
            if (!_versionFromNote)
            {
                return _version.Complete;
            }

            foreach (var (note, capture) in _notes)
            {
                if (note.Owner == KernelVersionNote && !capture.Complete)
                {
                    return false;
                }
            }

            return true;
        }

        private void ReadMachOHeader(ReadOnlySpan<byte> window)
        {
            if (MachOCoreHeader.ReadNotes(window, warnings, NoteKindOf) is { } notes)
            {
                // An offset no file reaches would wrap the range arithmetic below; such a note can hold nothing.
                foreach (var note in notes.Where(n => n.Offset < long.MaxValue / 2))
                {
                    // "kern ver str" payload: uint32 version, then the string.
                    var limit = note.Owner == KernelVersionNote ? 4 + KernelVersionLimit : PanicTextLimit;
                    _notes.Add((note, new TextCapture((int)Math.Min(note.Size, (ulong)limit))));
                    _versionFromNote |= note.Owner == KernelVersionNote && note.Size > 4;
                }
            }
        }

        /// <summary>The notes kept: the kernel version and one whose owner mentions the panic.</summary>
        private static int NoteKindOf(ReadOnlySpan<char> owner) =>
            owner.SequenceEqual(KernelVersionNote) ? 1 : owner.Contains("panic", StringComparison.OrdinalIgnoreCase) ? 2 : 0;

        /// <summary>Copies the part of each note payload that falls inside the bytes just read.</summary>
        private void CaptureNotes(ReadOnlySpan<byte> fresh, long freshStart)
        {
            foreach (var (note, capture) in _notes)
            {
                var noteEnd = note.Offset + (ulong)capture.Limit;
                var from = Math.Max((long)note.Offset, freshStart);
                var to = Math.Min((long)noteEnd, freshStart + fresh.Length);
                if (from < to && !capture.Complete)
                {
                    // Notes are binary (the version note starts with a uint32), so copy raw, NULs included.
                    capture.AppendRaw(fresh.Slice((int)(from - freshStart), (int)(to - from)));
                }
            }
        }

        /// <summary>Continues a capture into the new bytes, or looks for its marker; a marker cut by the chunk end waits for the next read.</summary>
        private static void ContinueOrFind(TextCapture capture, ReadOnlySpan<byte> window, int carry, ReadOnlySpan<byte> marker, bool requireDigit)
        {
            if (capture.Complete)
            {
                return;
            }

            if (capture.Started)
            {
                capture.Append(window[carry..]);
                return;
            }

            var searchFrom = 0;
            while (searchFrom < window.Length)
            {
                var found = window[searchFrom..].IndexOf(marker);
                if (found < 0)
                {
                    return;
                }

                var at = searchFrom + found;
                var needed = at + marker.Length + (requireDigit ? 1 : 0);
                if (needed > window.Length)
                {
                    // Only a marker starting inside the carried tail can be cut short; the next read sees it whole.
                    return;
                }

                if (!requireDigit || char.IsAsciiDigit((char)window[at + marker.Length]))
                {
                    capture.Append(window[at..]);
                    return;
                }

                searchFrom = at + 1;
            }
        }
    }
}
