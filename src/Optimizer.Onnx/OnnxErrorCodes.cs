namespace Optimizer.Onnx;

/// <summary>
/// Diagnostic codes for models that cannot be read or written (range OPT1100–OPT1199).
/// Each <see cref="OnnxFormatException"/> carries one of these in <see cref="OnnxFormatException.Code"/>.
/// </summary>
public static class OnnxErrorCodes
{
    /// <summary>The model file does not exist or cannot be read.</summary>
    public const string FileNotReadable = "OPT1100";

    /// <summary>The model is larger than <see cref="ModelLoadLimits.MaxModelBytes"/>; checked before parsing.</summary>
    public const string ModelTooLarge = "OPT1101";

    /// <summary>The bytes are not a valid ONNX protobuf (truncated, corrupted, or not an ONNX model).</summary>
    public const string MalformedProtobuf = "OPT1102";

    /// <summary>Messages are nested deeper than <see cref="ModelLoadLimits.MaxProtobufRecursionDepth"/>.</summary>
    public const string NestingTooDeep = "OPT1103";

    /// <summary>Subgraphs (If/Loop/Scan bodies) are nested deeper than <see cref="ModelLoadLimits.MaxSubgraphDepth"/>.</summary>
    public const string SubgraphTooDeep = "OPT1104";

    /// <summary>The model has no graph.</summary>
    public const string MissingGraph = "OPT1105";

    /// <summary>A tensor uses external data but the model was loaded from bytes without a base directory.</summary>
    public const string ExternalDataWithoutDirectory = "OPT1110";

    /// <summary>An external-data <c>location</c> is empty, absolute, or contains <c>..</c>.</summary>
    public const string ExternalDataPathInvalid = "OPT1111";

    /// <summary>An external-data <c>location</c> resolves outside the model's folder.</summary>
    public const string ExternalDataOutsideModelFolder = "OPT1112";

    /// <summary>An external-data path goes through a symbolic link or other reparse point.</summary>
    public const string ExternalDataThroughLink = "OPT1113";

    /// <summary>An external-data file does not exist or is not a regular file.</summary>
    public const string ExternalDataMissing = "OPT1114";

    /// <summary>An external-data <c>offset</c>/<c>length</c> is malformed, negative, or past the end of the file.</summary>
    public const string ExternalDataRangeInvalid = "OPT1115";

    /// <summary>External data adds up to more than <see cref="ModelLoadLimits.MaxExternalDataBytes"/>.</summary>
    public const string ExternalDataTooLarge = "OPT1116";

    /// <summary>
    /// The model or an external-data file is not a plain file of its own: a FIFO, device, socket or
    /// folder, a path under <c>/proc</c>, <c>/sys</c> or <c>/dev</c>, or a file with more than one hard link.
    /// </summary>
    public const string FileNotRegular = "OPT1117";

    /// <summary>Two tensors name the same or overlapping bytes of one external-data file.</summary>
    public const string ExternalDataOverlap = "OPT1118";

    /// <summary>A tensor's dimensions are negative or multiply to more than <see cref="ModelLoadLimits.MaxTensorElements"/>.</summary>
    public const string TensorTooLarge = "OPT1119";

    /// <summary>The graph's nodes form a cycle.</summary>
    public const string GraphCycle = "OPT1120";

    /// <summary>A node input or graph output names a value nothing produces.</summary>
    public const string DanglingValue = "OPT1121";

    /// <summary>Two nodes (or a node and a graph input/initializer) produce the same value name.</summary>
    public const string DuplicateValue = "OPT1122";

    /// <summary>
    /// A node's attributes or input shapes are inconsistent (e.g. <c>strides</c> shorter than
    /// <c>kernel_shape</c>, a zero stride, a repeated axis, a dimension that overflows); found by shape inference.
    /// </summary>
    public const string NodeInconsistent = "OPT1123";

    /// <summary>The main graph has no nodes or no outputs: there is nothing to run.</summary>
    public const string EmptyGraph = "OPT1124";

    /// <summary>A tensor's data does not match its element type and dimensions, or cannot be read as the type asked for.</summary>
    public const string TensorDataInvalid = "OPT1130";

    /// <summary>The model is too large to serialize as one protobuf (2 GiB).</summary>
    public const string ModelTooLargeToWrite = "OPT1140";

    /// <summary>Writing the model file failed.</summary>
    public const string WriteFailed = "OPT1141";
}
