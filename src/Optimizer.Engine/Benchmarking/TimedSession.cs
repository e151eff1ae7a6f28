using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Engine.OnnxRuntime;
using Optimizer.Engine.Supervision;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// One ONNX Runtime session ready to be timed at the given feeds (typed tensors, every element
/// type, made once per feed), with outputs preallocated after each feed's first run where their
/// shapes allow, so a timed run is only <c>session.Run</c>.
/// </summary>
internal sealed class TimedSession : ITimedRunner
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly List<OrtValue[]> _inputs = [];
    private readonly OrtValue[]?[] _outputs;

    /// <exception cref="BenchmarkException">A feed lacks one of the model's inputs.</exception>
    public TimedSession(string label, byte[] model, BenchmarkSettings settings, IReadOnlyList<Feed> feeds)
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
        _outputs = new OrtValue[]?[feeds.Count];
        try
        {
            foreach (var feed in feeds)
            {
                if (_inputNames.FirstOrDefault(name => !feed.Inputs.ContainsKey(name)) is { } missing)
                    throw new BenchmarkException($"the timing data has no value for input '{missing}' of {label}");
                _inputs.Add(OrtTensors.Create(feed, _inputNames));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Label { get; }

    /// <summary>Runs untimed at feed <paramref name="shape"/>; the first run also preallocates its outputs when every output is a tensor.</summary>
    public void WarmUp(int shape, int runs)
    {
        using (var results = _session.Run(_runOptions, _inputNames, _inputs[shape], _outputNames))
            _outputs[shape] ??= PreallocateLike(results);
        for (var i = 1; i < runs; i++)
            RunOnce(shape);
    }

    /// <summary>One run at feed <paramref name="shape"/>; returns its wall time in milliseconds.</summary>
    public double TimedRun(int shape)
    {
        var start = Stopwatch.GetTimestamp();
        RunOnce(shape);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private void RunOnce(int shape)
    {
        if (_outputs[shape] is { } outputs)
        {
            _session.Run(_runOptions, _inputNames, _inputs[shape], _outputNames, outputs);
            return;
        }

        using var results = _session.Run(_runOptions, _inputNames, _inputs[shape], _outputNames);
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

    public void Dispose()
    {
        foreach (var value in _inputs.SelectMany(values => values).Concat(_outputs.SelectMany(values => values ?? [])))
            value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>A model could not be timed (ONNX Runtime refused it, or an input cannot be generated).</summary>
public sealed class BenchmarkException(string message, Exception? inner = null) : Exception(message, inner);
