using Google.Protobuf;
using Optimizer.Onnx.Files;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Loads ONNX models as untrusted input: files are read only when they are regular files of their
/// own (no FIFO, device, kernel file or hard link), sizes are capped before reading, every protobuf
/// length is checked against the bytes really there, recursion is bounded, external data must stay
/// inside the model's folder without overlapping regions, and empty graphs, tensors too large to
/// exist and graphs with cycles or dangling names are refused. Every refusal is an
/// <see cref="OnnxFormatException"/> with a code.
/// </summary>
public static class OnnxModelLoader
{
    /// <summary>Loads the model file at <paramref name="path"/>; external data is read relative to its folder.</summary>
    /// <exception cref="OnnxFormatException">The file is missing, too large, malformed or unsafe.</exception>
    public static OnnxModel Load(string path, ModelLoadLimits? limits = null)
    {
        limits ??= ModelLoadLimits.Default;
        var fullPath = Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            // Opened non-blocking and checked on the handle: a FIFO or /dev/zero cannot hang the load.
            bytes = UntrustedFile.ReadAllBytes(fullPath, limits.MaxModelBytes);
        }
        catch (UntrustedFileException e)
        {
            throw RefusedFile.ForModel(e, limits);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException(OnnxErrorCodes.FileNotReadable,
                $"The model file '{fullPath}' cannot be read: {e.Message} Check that it exists and is readable.", fullPath, e);
        }

        return Load(bytes, Path.GetDirectoryName(fullPath), limits, fullPath);
    }

    /// <summary>
    /// Loads a model from its bytes. <paramref name="baseDirectory"/> is the folder external
    /// data is resolved in; pass null for a model that must be self-contained.
    /// </summary>
    /// <exception cref="OnnxFormatException">The bytes are too large, malformed or unsafe.</exception>
    public static OnnxModel Load(byte[] bytes, string? baseDirectory, ModelLoadLimits? limits = null) =>
        Load(bytes, baseDirectory, limits ?? ModelLoadLimits.Default, null);

    private static OnnxModel Load(byte[] bytes, string? baseDirectory, ModelLoadLimits limits, string? modelPath)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckSize(bytes.LongLength, limits, modelPath);
        new WireFormatCheck(limits, modelPath).Check(bytes);
        var proto = Parse(bytes, limits, modelPath);
        if (proto.Graph is null)
        {
            throw new OnnxFormatException(OnnxErrorCodes.MissingGraph,
                "The model has no graph. It is not a complete ONNX model; re-export it.", modelPath);
        }

        CheckNotEmpty(proto.Graph, modelPath);
        CheckSubgraphDepth(proto, limits, modelPath);
        var externalDataBytes = new ExternalDataResolver(baseDirectory, modelPath, limits).ResolveAll(proto);
        new TensorSizeCheck(limits, modelPath).CheckAll(proto);
        new GraphValidator(modelPath).Validate(proto.Graph);
        return new OnnxModel(proto, modelPath, externalDataBytes);
    }

    private static void CheckSize(long size, ModelLoadLimits limits, string? modelPath)
    {
        if (size > limits.MaxModelBytes)
        {
            throw new OnnxFormatException(OnnxErrorCodes.ModelTooLarge,
                $"The model is {size} bytes, more than the limit. {LimitAdvice.MaxModelBytes(limits.MaxModelBytes)}", modelPath);
        }
    }

    private static void CheckNotEmpty(GraphProto graph, string? modelPath)
    {
        var missing = (graph.Node.Count, graph.Output.Count) switch
        {
            (0, 0) => "no nodes and no outputs",
            (0, _) => "no nodes",
            (_, 0) => "no outputs",
            _ => null,
        };
        if (missing is not null)
        {
            throw new OnnxFormatException(OnnxErrorCodes.EmptyGraph,
                $"The model's graph has {missing}, so there is nothing to run. The file is incomplete or not the model you meant; re-export it.", modelPath);
        }
    }

    private static ModelProto Parse(byte[] bytes, ModelLoadLimits limits, string? modelPath)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, limits.MaxProtobufRecursionDepth);
            var model = ModelProto.Parser.ParseFrom(input);
            return model;
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("nesting", StringComparison.OrdinalIgnoreCase)
                                                         || e.Message.Contains("recursion", StringComparison.OrdinalIgnoreCase))
        {
            throw new OnnxFormatException(OnnxErrorCodes.NestingTooDeep,
                $"The model nests messages deeper than {limits.MaxProtobufRecursionDepth} levels. " +
                "It is malformed or hostile; raise ModelLoadLimits.MaxProtobufRecursionDepth only for a trusted model.", modelPath, e);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new OnnxFormatException(OnnxErrorCodes.MalformedProtobuf,
                $"The file is not a valid ONNX model ({e.Message}). Check that it is an .onnx file and was copied completely.", modelPath, e);
        }
    }

    private static void CheckSubgraphDepth(ModelProto proto, ModelLoadLimits limits, string? modelPath)
    {
        foreach (var (_, depth) in ModelWalker.Graphs(proto))
        {
            if (depth > limits.MaxSubgraphDepth)
            {
                throw new OnnxFormatException(OnnxErrorCodes.SubgraphTooDeep,
                    $"The model nests subgraphs (If/Loop/Scan bodies) {depth} deep, more than the limit of {limits.MaxSubgraphDepth}. " +
                    "Raise ModelLoadLimits.MaxSubgraphDepth only for a trusted model.", modelPath);
            }
        }
    }
}
