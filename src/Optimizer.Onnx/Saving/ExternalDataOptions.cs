namespace Optimizer.Onnx;

/// <summary>When <see cref="OnnxModelWriter.Save(OnnxModel, string, ExternalDataOptions)"/> stores tensors beside the model.</summary>
public enum ExternalDataMode
{
    /// <summary>When the model would pass <see cref="ExternalDataOptions.MaxInlineModelBytes"/>, or was loaded with external data.</summary>
    Auto,

    /// <summary>Always (tensors of at least <see cref="ExternalDataOptions.MinTensorBytes"/>).</summary>
    Always,

    /// <summary>Never: one protobuf, refused past 2 GiB (<see cref="OnnxErrorCodes.ModelTooLargeToWrite"/>).</summary>
    Never,
}

/// <summary>
/// How the writer lays out external data: main-graph initializers of at least <see cref="MinTensorBytes"/>
/// go to one file <c>&lt;model file name&gt;.data</c> beside the model, each at an offset that is a multiple of
/// <see cref="Alignment"/> (so ONNX Runtime can memory-map them), in graph order: the same model gives the same bytes.
/// </summary>
public sealed record ExternalDataOptions
{
    /// <summary>The defaults.</summary>
    public static ExternalDataOptions Default { get; } = new();

    /// <summary>When to write external data. Default: <see cref="ExternalDataMode.Auto"/>.</summary>
    public ExternalDataMode Mode { get; init; } = ExternalDataMode.Auto;

    /// <summary>Smallest tensor moved to the data file; smaller ones stay inline. Default: 1024 bytes, as ONNX's own tools.</summary>
    public long MinTensorBytes { get; init; } = 1024;

    /// <summary>Offsets in the data file are multiples of this. Default: 4096 (a page).</summary>
    public int Alignment { get; init; } = 4096;

    /// <summary>Largest model <see cref="ExternalDataMode.Auto"/> writes as one protobuf. Default: just under 2 GiB, protobuf's limit.</summary>
    public long MaxInlineModelBytes { get; init; } = int.MaxValue - 64;

    /// <summary>The data file's name for the model written to <paramref name="modelPath"/>.</summary>
    public static string DataFileName(string modelPath) => Path.GetFileName(modelPath) + ".data";
}
