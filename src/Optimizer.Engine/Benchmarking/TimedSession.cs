using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Engine.Supervision;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// One ONNX Runtime session ready to be timed: inputs made once (seeded uniform [0, 1) floats,
/// zeros for integer and bool inputs), outputs preallocated after the first run where their
/// shapes allow, so a timed run is only <c>session.Run</c>.
/// </summary>
internal sealed class TimedSession : IDisposable
{
    private const int Seed = 20240601;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames;
    private OrtValue[]? _outputs;

    public TimedSession(string label, byte[] model, BenchmarkSettings settings)
    {
        Label = label;
        EngineStage.Enter($"timing the {label} model in ONNX Runtime");
        using var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = settings.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model, options);
        _inputNames = _session.InputNames.ToArray();
        _outputNames = _session.OutputNames.ToArray();
        var random = new Random(Seed);
        _inputs = _inputNames.Select(name => CreateInput(name, _session.InputMetadata[name], settings.Batch, random)).ToArray();
    }

    public string Label { get; }

    /// <summary>Runs untimed; the first run also preallocates the outputs when every output is a tensor.</summary>
    public void WarmUp(int runs)
    {
        using (var results = _session.Run(_runOptions, _inputNames, _inputs, _outputNames))
            _outputs = PreallocateLike(results);
        for (var i = 1; i < runs; i++)
            RunOnce();
    }

    /// <summary>One run; returns its wall time in milliseconds.</summary>
    public double TimedRun()
    {
        var start = Stopwatch.GetTimestamp();
        RunOnce();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private void RunOnce()
    {
        if (_outputs is not null)
        {
            _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
            return;
        }

        using var results = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
    }

    private static OrtValue[]? PreallocateLike(IReadOnlyList<OrtValue> results)
    {
        if (results.Any(r => !r.IsTensor || r.GetTensorTypeAndShape().ElementDataType == TensorElementType.String))
            return null;
        return results.Select(r =>
        {
            var info = r.GetTensorTypeAndShape();
            return OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, info.Shape);
        }).ToArray();
    }

    private static OrtValue CreateInput(string name, NodeMetadata metadata, int batch, Random random)
    {
        if (!metadata.IsTensor)
            throw new BenchmarkException($"input '{name}' is a {metadata.OnnxValueType}; only tensor inputs can be generated for timing");
        var shape = metadata.Dimensions.Select((d, axis) => d > 0 ? (long)d : axis == 0 ? batch : 1L).ToArray();
        var count = (int)shape.Aggregate(1L, (a, d) => a * d);
        return metadata.ElementDataType switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Floats(count, random), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Floats(count, random).Select(v => (double)v).ToArray(), shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Floats(count, random).Select(v => (Float16)v).ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(new short[count], shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(new sbyte[count], shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(new byte[count], shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(new bool[count], shape),
            var other => throw new BenchmarkException($"input '{name}' is {other}; timing generates float, integer and bool inputs only"),
        };
    }

    private static float[] Floats(int count, Random random)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
            values[i] = random.NextSingle();
        return values;
    }

    public void Dispose()
    {
        foreach (var value in _inputs)
            value.Dispose();
        foreach (var value in _outputs ?? [])
            value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>A model could not be timed (ONNX Runtime refused it, or an input cannot be generated).</summary>
public sealed class BenchmarkException(string message, Exception? inner = null) : Exception(message, inner);
