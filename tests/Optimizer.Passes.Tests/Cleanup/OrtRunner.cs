using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Optimizer.Passes.Tests.Cleanup;

/// <summary>Runs a model in ONNX Runtime on given or synthesized inputs and compares every output numerically.</summary>
internal static class OrtRunner
{
    /// <summary>All outputs, as doubles per output name (non-numeric outputs are skipped).</summary>
    public static Dictionary<string, (long[] Shape, double[] Values)> Run(OnnxModel model, IReadOnlyList<OnnxTensor> inputs) =>
        RunEach(model, [inputs])[0];

    /// <summary><see cref="Run"/> for each feed, in one session.</summary>
    public static List<Dictionary<string, (long[] Shape, double[] Values)>> RunEach(OnnxModel model, IEnumerable<IReadOnlyList<OnnxTensor>> feeds)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        return feeds.Select(inputs => Run(session, model.Graph.Inputs.Select(i => i.Name).Take(inputs.Count).ToArray(), inputs)).ToList();
    }

    private static Dictionary<string, (long[] Shape, double[] Values)> Run(InferenceSession session, string[] names, IReadOnlyList<OnnxTensor> inputs)
    {
        var values = inputs.Select(ToOrt).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, values, session.OutputNames);
            var result = new Dictionary<string, (long[], double[])>();
            for (var i = 0; i < outputs.Count; i++)
            {
                if (outputs[i].OnnxType == OnnxValueType.ONNX_TYPE_TENSOR && ToDoubles(outputs[i]) is { } data)
                {
                    result[session.OutputNames[i]] = (outputs[i].GetTensorTypeAndShape().Shape, data);
                }
            }

            return result;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>Fixed inputs for a model that ships none: symbolic dims become 1, floats a smooth pattern, integers 0.</summary>
    public static IReadOnlyList<OnnxTensor> Synthesize(OnnxModel model) => model.Graph.Inputs.Select(input =>
    {
        var type = input.Type!;
        var dims = (type.Shape ?? []).Select(d => d.Size is > 0 ? d.Size.Value : 1L).ToArray();
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        return type.ElementType switch
        {
            TensorElementType.Float => OnnxTensor.FromFloats(input.Name, dims, Enumerable.Range(0, count).Select(i => (float)Math.Sin(i * 0.37) * 0.5f).ToArray()),
            TensorElementType.Int64 => OnnxTensor.FromInt64s(input.Name, dims, new long[count]),
            TensorElementType.Int32 => OnnxTensor.FromInt32s(input.Name, dims, new int[count]),
            _ => throw new NotSupportedException($"no synthetic {type.ElementType} input"),
        };
    }).ToArray();

    /// <summary>Null when every output matches within |a − e| ≤ 1e-4·|e| + floor, else the worst difference.</summary>
    public static string? Difference(Dictionary<string, (long[] Shape, double[] Values)> expected, Dictionary<string, (long[] Shape, double[] Values)> actual, double absoluteFloor = 1e-5)
    {
        foreach (var (name, (shape, e)) in expected)
        {
            if (!actual.TryGetValue(name, out var a)) return $"output {name} is missing";
            if (!shape.SequenceEqual(a.Shape)) return $"output {name} shape [{string.Join(",", shape)}] vs [{string.Join(",", a.Shape)}]";
            for (var i = 0; i < e.Length; i++)
            {
                var same = e[i].Equals(a.Values[i]) || Math.Abs(e[i] - a.Values[i]) <= 1e-4 * Math.Abs(e[i]) + absoluteFloor;
                if (!same) return $"output {name}[{i}]: {e[i]} vs {a.Values[i]}";
            }
        }

        return null;
    }

    private static OrtValue ToOrt(OnnxTensor tensor)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (OrtElementType)(int)tensor.ElementType, tensor.Dims.ToArray());
        tensor.ToRawBytes().CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private static double[]? ToDoubles(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType switch
    {
        OrtElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
        OrtElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
        OrtElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v).ToArray(),
        OrtElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray().Select(v => (double)v).ToArray(),
        OrtElementType.Bool or OrtElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray().Select(v => (double)v).ToArray(),
        OrtElementType.Int8 => value.GetTensorDataAsSpan<sbyte>().ToArray().Select(v => (double)v).ToArray(),
        _ => null,
    };
}
