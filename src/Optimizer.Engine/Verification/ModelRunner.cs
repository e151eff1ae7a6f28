using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.Supervision;
using Optimizer.Onnx;

namespace Optimizer.Engine.Verification;

/// <summary>The float32 outputs of one model over all samples, concatenated along the first axis.</summary>
internal sealed record ModelOutputs(IReadOnlyList<(string Name, float[] Values, long[] ShapePerBatchRow)> Outputs);

/// <summary>
/// Runs a model with ONNX Runtime's CPU provider over the verification samples in batches, the way
/// the app will run it (all graph optimizations on, so QDQ pairs become quantized kernels), on one
/// thread so the figures are the same on every machine and every build.
/// </summary>
internal static class ModelRunner
{
    public const int MaxBatch = 64;

    /// <summary>The roles <see cref="Run"/> is called with (also what <see cref="VerificationException.OnnxRuntimeFailedOn"/> says).</summary>
    public const string Original = "original", Optimized = "optimized";

    /// <param name="role">Which model this is, in words ("original", "optimized"): names the stage a supervisor reports if ONNX Runtime crashes.</param>
    public static ModelOutputs Run(byte[] modelBytes, OnnxModel model, VerificationInputs data, string role)
    {
        var outputs = model.Graph.Outputs
            .Where(o => o.Type is { Kind: ValueKind.Tensor, ElementType: TensorElementType.Float })
            .Select(o => o.Name).ToArray();
        if (outputs.Length == 0)
            throw new VerificationException("the model has no float32 tensor output to compare");

        // A fixed first dimension (e.g. 1) is the batch the model takes; otherwise batches of MaxBatch.
        var firstDims = model.Graph.Inputs.Select(i => i.Type?.Shape is { Count: > 0 } s ? s[0].Size : null).ToArray();
        var batch = firstDims.FirstOrDefault(d => d is > 0) is { } fixedBatch ? (int)fixedBatch : MaxBatch;
        if (data.SampleCount % batch != 0 && firstDims.Any(d => d is > 0))
            throw new VerificationException($"the model takes batches of exactly {batch}, which does not divide the {data.SampleCount} samples");

        EngineStage.Enter($"verifying: running the {role} model in ONNX Runtime on {data.Source}");
        try
        {
            using var options = new SessionOptions
            {
                // Failures come back as exceptions and are reported with a code; ORT's own log line would repeat them.
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            using var session = new InferenceSession(modelBytes, options);
            OnnxRuntimeLoadCheck.Loaded(modelBytes);
            var collected = outputs.Select(_ => new List<float>()).ToArray();
            var rowShapes = new long[outputs.Length][];
            var names = data.Inputs.Select(i => i.Name).ToArray();
            for (var start = 0; start < data.SampleCount; start += batch)
            {
                var count = Math.Min(batch, data.SampleCount - start);
                var values = data.Inputs.Select(input =>
                {
                    var size = (int)input.SampleShape.Aggregate(1L, (a, d) => a * d);
                    var slice = input.Values.AsSpan(start * size, count * size).ToArray();
                    return OrtValue.CreateTensorValueFromMemory(slice, [count, .. input.SampleShape]);
                }).ToArray();
                try
                {
                    using var runOptions = new RunOptions();
                    using var results = session.Run(runOptions, names, values, outputs);
                    for (var o = 0; o < outputs.Length; o++)
                    {
                        collected[o].AddRange(results[o].GetTensorDataAsSpan<float>().ToArray());
                        var shape = results[o].GetTensorTypeAndShape().Shape;
                        rowShapes[o] ??= shape.Length > 0 && shape[0] == count ? shape[1..] : shape;
                    }
                }
                finally
                {
                    foreach (var v in values) v.Dispose();
                }
            }

            return new ModelOutputs(outputs.Select((n, o) => (n, collected[o].ToArray(), rowShapes[o] ?? [])).ToArray());
        }
        catch (OnnxRuntimeException e)
        {
            throw new VerificationException($"ONNX Runtime could not run it: {e.Message}", e) { OnnxRuntimeFailedOn = role };
        }
    }
}
