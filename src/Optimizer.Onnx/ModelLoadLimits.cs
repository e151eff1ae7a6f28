namespace Optimizer.Onnx;

/// <summary>
/// Caps applied while loading an untrusted model. The defaults accept any model ONNX's own
/// tooling can write as a single protobuf; lower them for inputs from less trusted sources.
/// </summary>
public sealed record ModelLoadLimits
{
    /// <summary>The defaults.</summary>
    public static ModelLoadLimits Default { get; } = new();

    /// <summary>Largest model file (the protobuf itself) accepted; checked before any parsing. Default: 2 GiB − 1, protobuf's own limit.</summary>
    public long MaxModelBytes { get; init; } = int.MaxValue;

    /// <summary>Deepest message nesting the protobuf parser follows. Default: 100 (Google.Protobuf's default).</summary>
    public int MaxProtobufRecursionDepth { get; init; } = 100;

    /// <summary>Deepest nesting of subgraphs inside node attributes (If/Loop/Scan bodies). Default: 16.</summary>
    public int MaxSubgraphDepth { get; init; } = 16;

    /// <summary>
    /// Total bytes read from external-data files. Default: 16 GiB. Besides this cap, the regions
    /// tensors name may not overlap, so they never add up to more than the data files hold, and
    /// each byte is read once into the array the tensor keeps.
    /// </summary>
    public long MaxExternalDataBytes { get; init; } = 16L << 30;

    /// <summary>
    /// Most elements one tensor may have, for initializers and constants when loading and for every
    /// shape inference works out. Default: 2^40 (a terabyte of bytes, beyond any model that runs).
    /// </summary>
    public long MaxTensorElements { get; init; } = 1L << 40;

    /// <summary>
    /// In a model whose external data passes <see cref="InMemoryModelBytes"/>, external-data tensors
    /// this large or larger stay in their file and are read a block at a time (by passes that stream,
    /// and by the writer); smaller ones are memory-mapped. A smaller model keeps every tensor mapped
    /// (it takes the in-memory path with all its steps), except that tensors of 2 GiB or more always
    /// stay in their file, since no protobuf field or array can hold them. Default: 256 MiB.
    /// </summary>
    public long InMemoryTensorBytes { get; init; } = 256L << 20;

    /// <summary>
    /// External data up to this total is memory-mapped whole (see <see cref="InMemoryTensorBytes"/>).
    /// Default: 2 GiB − 1, what one protobuf holds, so the in-memory path keeps every model it can write.
    /// </summary>
    public long InMemoryModelBytes { get; init; } = int.MaxValue;

    /// <summary>
    /// Limits for a model the user trusts (set from the CLI's <c>--trust-model</c> or the build's
    /// <c>OptimizerTrustModel</c>): no cap on the file or its external data. The structural checks
    /// (regions inside the model's folder, no overlap, no links) stay.
    /// </summary>
    public static ModelLoadLimits Trusted { get; } = new() { MaxModelBytes = int.MaxValue, MaxExternalDataBytes = long.MaxValue };
}
