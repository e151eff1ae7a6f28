using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.OnnxRuntime;
using Optimizer.Engine.Supervision;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>One float32 output of one run: its values and the shape ONNX Runtime gave it.</summary>
internal sealed record RunOutput(string Name, float[] Values, long[] Shape);

/// <summary>
/// One model opened in ONNX Runtime's CPU provider the way the app will run it (all graph
/// optimizations on, so QDQ pairs become quantized kernels), on one thread so the figures are the
/// same on every machine and every build. Runs one <see cref="Feed"/> at a time (inputs of any
/// element type) and returns its float32 outputs; every ONNX Runtime failure is a
/// <see cref="VerificationException"/> naming the <paramref name="role"/>.
/// </summary>
internal sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _role;
    private readonly string _source;

    /// <param name="role">Which model this is, in words (<see cref="ModelRunner.Original"/>, <see cref="ModelRunner.Optimized"/>).</param>
    /// <param name="source">The data it runs on, for the stage a supervisor reports if ONNX Runtime crashes.</param>
    public ModelSession(byte[] modelBytes, OnnxModel model, string role, string source)
        : this(model, role, source)
    {
        using var options = Options();
        _session = Guard(() => new InferenceSession(modelBytes, options));
        OnnxRuntimeLoadCheck.Loaded(modelBytes);
    }

    /// <summary>
    /// Opens the model from its file, so ONNX Runtime reads (and memory-maps) its external data itself
    /// instead of a copy in this process. Without <paramref name="prepack"/> (the fp32 original) ONNX Runtime keeps
    /// no second, repacked copy of each MatMul weight, which would double a large model's memory; quantized
    /// kernels (MatMulNBits) need their prepacked layout to run fast, and their weights are a fraction of the size.
    /// </summary>
    public ModelSession(string modelFile, OnnxModel model, string role, string source, bool prepack)
        : this(model, role, source)
    {
        using var options = Options();
        if (!prepack)
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        _session = Guard(() => new InferenceSession(modelFile, options));
    }

    private ModelSession(OnnxModel model, string role, string source)
    {
        _role = role;
        _source = source;
        OutputNames = model.Graph.Outputs
            .Where(o => o.Type is { Kind: ValueKind.Tensor, ElementType: TensorElementType.Float })
            .Select(o => o.Name).ToArray();
        if (OutputNames.Count == 0)
            throw new VerificationException("the model has no float32 tensor output to compare");

        Enter();
        _session = null!; // set by the public constructors
    }

    private static SessionOptions Options() => new()
    {
        // Failures come back as exceptions and are reported with a code; ORT's own log line would repeat them.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    /// <summary>The float32 tensor outputs compared, in graph order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    public IReadOnlyList<RunOutput> Run(Feed feed)
    {
        Enter();
        var names = feed.Inputs.Keys.ToArray();
        var values = Guard(() => OrtTensors.Create(feed, names));
        try
        {
            return Guard(() =>
            {
                using var runOptions = new RunOptions();
                using var results = _session.Run(runOptions, names, values, OutputNames.ToArray());
                return OutputNames.Select((name, o) =>
                    new RunOutput(name, results[o].GetTensorDataAsSpan<float>().ToArray(), results[o].GetTensorTypeAndShape().Shape)).ToList();
            });
        }
        finally
        {
            foreach (var value in values)
                value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();

    private void Enter() => EngineStage.Enter($"verifying: running the {_role} model in ONNX Runtime on {_source}");

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (OnnxRuntimeException e)
        {
            throw new VerificationException($"ONNX Runtime could not run it: {e.Message}", e) { OnnxRuntimeFailedOn = _role };
        }
    }
}
